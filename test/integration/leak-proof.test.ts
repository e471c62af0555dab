/**
 * The leak guard's context proof on the real engine (BuildKit): after a source edit, the only new
 * layer is a copy from a build context that held no secret value, so the image is not exported at
 * all; a context that holds the value is never taken as proof (the layer is read, the leak caught).
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileVariant } from '../../src/compile/index.js';
import { DockerImageBuilder } from '../../src/docker/image-builder.js';
import { DockerImageScanner } from '../../src/docker/image-scan.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { EventBus, type DevpipeEvent } from '../../src/engine/events.js';
import { buildStackImages } from '../../src/engine/stack/up.js';
import { NodeProjectFiles } from '../../src/fs/project-files.js';
import { loadBlubber } from '../../src/spec/blubber/index.js';
import { dockerTest } from '../helpers/docker.js';

const { test, docker } = await dockerTest();
const project = `devpipe-leakproof-it${process.pid}`;
const SECRET = { name: 'api_token', value: 'canary-context-proof-7d2f', source: 'test' };

class CountingStore extends DockerImageStore {
  exports = 0;
  override async export(ref: string, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
    this.exports++;
    return super.export(ref, signal);
  }
}

test.after.always(async () => {
  for (const image of await docker.listImages({ filters: { label: [`devpipe.project=${project}`] } })) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
});

test('a rebuild whose only new layer is copied from a clean context is not exported; a context holding the value proves nothing', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'devpipe-leakproof-'));
  try {
    await mkdir(path.join(dir, 'www'));
    const blubber = 'version: v4\nbase: debian:bookworm-slim\nlives:\n  in: /srv/app\nvariants:\n  production:\n    copies:\n      - from: local\n        source: ./www\n        destination: ./www\n    entrypoint: [/bin/true]\n';
    const loaded = loadBlubber(blubber, 'blubber.yaml');
    if (!loaded.ok) throw new Error('blubber');
    const compiled = compileVariant(loaded.value, 'production', { localContext: 'views' });
    if (!compiled.ok) throw new Error('compile');
    const store = new CountingStore(docker);
    const ports = { builder: new DockerImageBuilder(docker, 'buildkit'), images: store, scanner: new DockerImageScanner(store), files: new NodeProjectFiles(dir) };
    const bus = new EventBus();
    const details: string[] = [];
    bus.subscribe((e: DevpipeEvent) => {
      if (e.type === 'task:end' && e.id.startsWith('scan:')) details.push(String(e.detail));
    });
    const build = () => buildStackImages(ports, bus, [{ key: 'blubber.yaml#production', image: compiled.value }], [SECRET], { project, revision: 'none', fresh: false, concurrency: 1 });

    await writeFile(path.join(dir, 'www/index.html'), '<p>v1</p>\n');
    await build();
    t.is(store.exports, 1, 'the first build reads the layers its RUN steps made');

    await writeFile(path.join(dir, 'www/index.html'), '<p>v2</p>\n');
    await build();
    t.is(store.exports, 1, 'the edit made one new layer, a copy from a clean context: no export');
    t.regex(details.at(-1) ?? '', /no export: .*1 copied from a context that held no secret value/);

    await writeFile(path.join(dir, 'www/index.html'), `<p>${SECRET.value}</p>\n`);
    const error = await t.throwsAsync(build());
    t.is(store.exports, 2, 'a context holding the value proves nothing: the layer is read');
    t.regex(error?.message ?? '', /api_token/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
