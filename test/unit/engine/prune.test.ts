import test from 'ava';
import { EventBus } from '../../../src/engine/events.js';
import { planPrune, prune } from '../../../src/engine/prune.js';
import type { ContainerInfo, ImageInfo } from '../../../src/ports.js';

const image = (id: string, tags: string[], created: string, size = 100): ImageInfo => ({ id, tags, labels: {}, env: [], user: '', workingDir: '', entrypoint: null, cmd: null, created, size });
const container = (id: string, state: string, imageRef: string): ContainerInfo => ({ id, name: id, image: imageRef, state, status: '', labels: {} });

const images = [
  image('sha256:a', ['svc:production-aaaaaaaaaaaa'], '2026-01-01'),
  image('sha256:b', ['svc:production-bbbbbbbbbbbb'], '2026-01-02'),
  image('sha256:c', ['svc:production-cccccccccccc'], '2026-01-03'),
  image('sha256:d', ['svc:production-dddddddddddd', 'svc:production'], '2026-01-04'),
  image('sha256:e', ['svc:test-eeeeeeeeeeee'], '2026-01-05'),
  image('sha256:f', [], '2026-01-01', 50),
  image('sha256:g', [], '2026-01-01', 70),
];

test('prune plan: keeps the newest per variant, what a moving tag or a running container uses; removes the rest and dangling images', (t) => {
  const plan = planPrune(images, [container('up', 'running', 'svc:production-bbbbbbbbbbbb'), container('old', 'exited', 'sha256:a'), container('u2', 'running', 'sha256:g')], 1);
  t.deepEqual(plan.containers.map((c) => c.id), ['old']);
  t.deepEqual(plan.tags.map((x) => x.tag), ['svc:production-cccccccccccc', 'svc:production-aaaaaaaaaaaa']);
  t.deepEqual(plan.kept.map((k) => k.tag).sort(), ['svc:production-bbbbbbbbbbbb', 'svc:production-dddddddddddd', 'svc:test-eeeeeeeeeeee']);
  t.deepEqual(plan.dangling.map((d) => d.imageId), ['sha256:f'], 'an untagged image a running container uses stays');
  t.deepEqual(planPrune(images, [], 3).tags.map((x) => x.tag), ['svc:production-aaaaaaaaaaaa'], '--keep 3');
});

test('prune removes tags one by one (never by ID with force) and sums what was deleted', async (t) => {
  const removed: string[] = [];
  const gone = new Set<string>();
  const ports = {
    images: {
      inspect: async (ref: string) => (gone.has(ref) ? undefined : images.find((i) => i.id === ref)),
      remove: async (ref: string, options?: { force?: boolean }) => {
        t.falsy(options?.force);
        removed.push(ref);
        const owner = images.find((i) => i.tags.includes(ref) || i.id === ref);
        if (owner && owner.tags.filter((tag) => !removed.includes(tag)).length === 0) gone.add(owner.id);
      },
      tag: async () => undefined,
      export: async () => { throw new Error('no'); },
      list: async () => [],
    },
    containers: { run: async () => { throw new Error('no'); }, remove: async (id: string) => void removed.push(`container ${id}`), list: async () => [], follow: async () => undefined },
  };
  const plan = planPrune(images, [container('old', 'exited', 'sha256:a')], 1);
  const result = await prune(ports, new EventBus(), plan);
  t.deepEqual(removed, ['container old', 'svc:production-cccccccccccc', 'svc:production-bbbbbbbbbbbb', 'svc:production-aaaaaaaaaaaa', 'sha256:f', 'sha256:g']);
  t.is(result.tagsRemoved, 3);
  t.is(result.imagesDeleted, 5);
  t.is(result.bytesFreed, 420);
});
