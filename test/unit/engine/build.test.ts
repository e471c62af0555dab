import test from 'ava';
import { buildImages, contentHash, expandTags, repositoryName, withLabels, type CompiledImage } from '../../../src/engine/build.js';
import { EventBus, type DevpipeEvent } from '../../../src/engine/events.js';
import { FakeImageBuilder, FakeImageStore } from '../../fakes/images.js';

const image = (variant: string, overrides: Partial<CompiledImage> = {}): CompiledImage => ({
  variant,
  target: variant,
  dockerfile: `FROM debian:bookworm-slim AS ${variant}\n`,
  buildkit: false,
  extraEntries: [],
  buildArgs: {},
  baseImages: ['debian:bookworm-slim'],
  ...overrides,
});

function setup() {
  const store = new FakeImageStore();
  store.add('debian:bookworm-slim');
  const builder = new FakeImageBuilder(store);
  const bus = new EventBus();
  const events: DevpipeEvent[] = [];
  bus.subscribe((e) => events.push(e));
  return { store, builder, bus, events, ports: { builder, images: store } };
}

const options = { project: 'My Service', contextDir: '/tmp/x', revision: 'abc' };

test('a build gets a content-addressed tag, a moving tag and devpipe labels', async (t) => {
  const { ports, bus, builder, events } = setup();
  const [built] = await buildImages(ports, bus, [image('production')], options);
  t.regex(built!.contentTag, /^my-service:production-[0-9a-f]{12}$/);
  t.deepEqual(built!.tags, [built!.contentTag, 'my-service:production']);
  t.false(built!.cached);
  t.like(builder.builds[0]!.labels, { 'devpipe.project': 'My Service', 'devpipe.variant': 'production', 'devpipe.revision': 'abc', 'devpipe.managed-by': 'devpipe' });
  t.deepEqual(events.map((e) => e.type), ['plan', 'task:start', 'task:end', 'image:built']);
});

test('unchanged inputs: no build at all, the same tag, reported as cached', async (t) => {
  const { ports, bus, builder } = setup();
  const [first] = await buildImages(ports, bus, [image('production')], options);
  const [second] = await buildImages(ports, bus, [image('production')], options);
  t.is(builder.builds.length, 1);
  t.true(second!.cached);
  t.is(second!.contentTag, first!.contentTag);
  t.is(second!.imageId, first!.imageId);
});

test('a changed context, Dockerfile, build arg or base image changes the tag', async (t) => {
  const { ports, bus, builder, store } = setup();
  const tagOf = async (img: CompiledImage) => (await buildImages(ports, bus, [img], options))[0]!.contentTag;
  const base = await tagOf(image('production'));
  t.not(await tagOf(image('production', { dockerfile: 'FROM debian:bookworm-slim AS production\nRUN true\n' })), base);
  t.not(await tagOf(image('production', { buildArgs: { VERSION: '2' } })), base);
  builder.digest = 'digest-2';
  t.not(await tagOf(image('production')), base);
  builder.digest = 'digest-1';
  store.add('debian:bookworm-slim', { id: `sha256:${'c'.repeat(64)}` });
  t.not(await tagOf(image('production')), base);
});

test('--no-cache and --pull always build', async (t) => {
  const { ports, bus, builder } = setup();
  await buildImages(ports, bus, [image('production')], options);
  await buildImages(ports, bus, [image('production')], { ...options, noCache: true });
  await buildImages(ports, bus, [image('production')], { ...options, pull: true });
  t.is(builder.builds.length, 3);
  t.true(builder.builds[1]!.noCache);
  t.true(builder.builds[2]!.pull);
});

test('a missing base image is warned about, not an error (the engine may pull it)', async (t) => {
  const { ports, bus, events } = setup();
  await buildImages(ports, bus, [image('production', { baseImages: ['nowhere/image:1'] })], options);
  t.true(events.some((e) => e.type === 'message' && e.level === 'warn' && e.text.includes('nowhere/image:1 is not present locally')));
});

test('one failing variant does not stop the others; the failure is thrown at the end', async (t) => {
  const { ports, bus, builder, events } = setup();
  builder.failNext = 'RUN false returned 1';
  await t.throwsAsync(buildImages(ports, bus, [image('test'), image('production')], { ...options, concurrency: 1 }), { message: 'RUN false returned 1' });
  t.is(builder.builds.length, 2);
  const ends = events.filter((e) => e.type === 'task:end').map((e) => (e.type === 'task:end' ? [e.id, e.status] : []));
  t.deepEqual(ends, [['build:test', 'failed'], ['build:production', 'ok']]);
});

test('extra tags: {variant} placeholder; a fixed tag for several variants is a usage error before any build', async (t) => {
  t.deepEqual(expandTags(['svc:{variant}-dev'], 'test', 2), ['svc:test-dev']);
  t.deepEqual(expandTags(['svc:dev'], 'test', 1), ['svc:dev']);
  const { ports, bus, builder } = setup();
  const error = await t.throwsAsync(buildImages(ports, bus, [image('test'), image('production')], { ...options, extraTags: ['svc:dev'] }));
  t.regex(error?.message ?? '', /would name every variant the same/);
  t.is(builder.builds.length, 0);
});

test('an invalid --tag is a usage error before any build', async (t) => {
  t.throws(() => expandTags(['My-Service:dev'], 'test', 1), { message: /--tag My-Service:dev is not a valid image name/ });
  t.throws(() => expandTags(['svc:bad tag'], 'test', 1), { message: /not a valid image name/ });
  t.deepEqual(expandTags(['localhost:5000/team/svc:1.2'], 'test', 1), ['localhost:5000/team/svc:1.2']);
});

test('labels go into one LABEL line at the end of the target stage (one classic-builder step)', (t) => {
  const request = { contextDir: '/x', dockerfile: 'FROM a AS build\nRUN x\nFROM b AS final\nCOPY . .\n', target: 'final', tags: [] };
  const labelled = withLabels(request, { 'devpipe.project': 'p', 'devpipe.note': 'costs $5 "now"' });
  t.is(labelled.dockerfile, 'FROM a AS build\nRUN x\nFROM b AS final\nCOPY . .\nLABEL "devpipe.project"="p" "devpipe.note"="costs \\$5 \\"now\\""\n');
  t.is(labelled.labels, undefined);
  const notLast = withLabels({ ...request, target: 'build' }, { a: 'b' });
  t.is(notLast.dockerfile, request.dockerfile);
  t.deepEqual(notLast.labels, { a: 'b' });
  const blubber = withLabels({ ...request, dockerfile: 'FROM b AS final\n\nLABEL blubber.variant="final"\n' }, { a: 'b' });
  t.is(blubber.dockerfile, 'FROM b AS final\n\nLABEL blubber.variant="final" "a"="b"\n', 'merged into Blubber\'s LABEL line');
});

test('repository names are made valid for Docker', (t) => {
  t.is(repositoryName('My Service'), 'my-service');
  t.is(repositoryName('mediawiki/services/citoid'), 'mediawiki-services-citoid');
  t.is(repositoryName('--x__'), 'x');
  t.is(repositoryName('!!!'), '');
  t.is(repositoryName('my+svc'), 'my-svc', 'a + in a path gave "invalid reference format"');
  t.is(repositoryName('__x..y'), 'x-y');
  t.is(repositoryName('a.b_c__d--e'), 'a.b_c__d--e');
  t.is(repositoryName('a._b'), 'a-b');
  t.is(contentHash(image('a'), 'd', []).length, 64);
});

test('ci builds (movingTag false) tag only the content-addressed tag: never move `build`\'s <project>:<variant>', async (t) => {
  const { ports, bus, store } = setup();
  store.add('my-service:production');
  const before = await store.inspect('my-service:production');
  const [built] = await buildImages(ports, bus, [image('production')], { ...options, movingTag: false });
  t.deepEqual(built!.tags, [built!.contentTag]);
  t.is((await store.inspect('my-service:production'))?.id, before?.id);
});

test('a base image neither here nor pullable fails before any build (exit 3), naming the variant and the fix', async (t) => {
  const { ports, bus, builder } = setup();
  const images = Object.assign(ports.images, { pullable: async () => ({ ok: false, reason: 'no such host' }) });
  const error = await t.throwsAsync(buildImages({ ...ports, images }, bus, [image('ok'), image('production', { baseImages: ['docker-registry.wikimedia.org/nodejs20-slim'] })], options));
  t.is((error as { kind?: string }).kind, 'environment');
  t.regex(error!.message, /not present locally and cannot be pulled; nothing was built/);
  t.regex((error as { details?: string[] }).details?.join('\n') ?? '', /nodejs20-slim, needed by production: no such host/);
  t.regex((error as { hint?: string }).hint ?? '', /images:\n {4}docker-registry\.wikimedia\.org\/nodejs20-slim: /);
  t.is(builder.builds.length, 0);
});
