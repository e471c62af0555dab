/**
 * The incremental leak guard on the real engine (Engine 20.10: the legacy `docker save` layout;
 * the OCI layout of Engine 25+ is covered by crafted archives in test/unit/docker/image-scan.test.ts):
 * only the layers a rebuild added are read, a fully cached image is not exported at all (counted
 * at our port boundary, around the real adapter), a leak next to cached layers is still caught,
 * and a changed value makes every layer in scope be read again.
 */
import { pack } from 'tar-stream';
import { DockerImageScanner } from '../../src/docker/image-scan.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { VerdictCache } from '../../src/engine/stack/leak-guard.js';
import type { ScanStats } from '../../src/ports.js';
import { buildTar } from '../helpers/base-images.js';
import { dockerTest } from '../helpers/docker.js';
import { ensureBusybox } from './stack-support.js';

const { test, docker } = await dockerTest();
const repo = `devpipe-leakguard-it${process.pid}`;
const SECRET = { name: 'api_token', value: 'canary-incremental-5c1e9a' };

/** Counts exports: the port boundary, around the real adapter. */
class CountingStore extends DockerImageStore {
  exports = 0;
  override async export(ref: string): Promise<NodeJS.ReadableStream> {
    this.exports++;
    return super.export(ref);
  }
}

async function build(tag: string, files: Record<string, string>, extra: string[] = []): Promise<string> {
  const tar = pack();
  const names = Object.keys(files);
  tar.entry({ name: 'Dockerfile' }, ['FROM busybox:stable', ...names.map((n) => `COPY ${n} /srv/app/${n}`), ...extra, ''].join('\n'));
  for (const [name, content] of Object.entries(files)) tar.entry({ name }, content);
  tar.finalize();
  const ref = `${repo}:${tag}`;
  return buildTar(docker, tar as unknown as NodeJS.ReadableStream, ref, { 'devpipe.test': repo });
}

test.before(async () => {
  await ensureBusybox(docker);
});

test.after.always(async () => {
  const images = await docker.listImages({ filters: JSON.stringify({ label: [`devpipe.test=${repo}`] }) });
  for (const image of images) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
});

test('incremental leak guard: reads only new layers, exports nothing when all are proven clean, still catches a leak', async (t) => {
  const store = new CountingStore(docker);
  const scanner = new DockerImageScanner(store);
  let text: string | undefined;
  const scan = async (ref: string, secrets = [SECRET]) => {
    const cache = new VerdictCache(text, secrets);
    let stats: ScanStats | undefined;
    const findings = await scanner.scan(ref, secrets, { baseImages: ['busybox:stable'], verdicts: cache, onStats: (s) => (stats = s) });
    text = cache.text();
    return { findings, stats };
  };
  const deps = 'module.exports = 1;\n'.repeat(20000);
  const v1 = await build('v1', { 'deps.js': deps, 'server.js': 'v1' });
  // Engine 20.10 names layers by v1 id: the base layer is known from its json and never read.
  t.like(await scan(v1), { findings: [], stats: { base: 1, scanned: 2, exported: true, baseRead: 0 } });
  t.is(store.exports, 1);

  // Same layers, another image (a label added): not exported at all, config still checked.
  const relabelled = await build('v1-label', { 'deps.js': deps, 'server.js': 'v1' }, ['LABEL devpipe.bench=relabelled']);
  t.not((await store.inspect(relabelled))?.id, (await store.inspect(v1))?.id);
  t.like(await scan(relabelled), { findings: [], stats: { scanned: 0, cached: 2, exported: false } });
  t.is(store.exports, 1, 'a fully cached image is not exported');
  const envLeak = await build('v1-env', { 'deps.js': deps, 'server.js': 'v1' }, [`ENV TOKEN_B64=${Buffer.from(SECRET.value).toString('base64')}`]);
  t.deepEqual((await scan(envLeak)).findings.map((f) => [f.secret, f.where]), [['api_token', 'env'], ['api_token', 'history']], 'the ENV step is in the history too');
  t.is(store.exports, 1);

  // An edit that leaks, next to a cached layer: only the new layer is read, and the leak is caught.
  const v2 = await build('v2', { 'deps.js': deps, 'server.js': `const token = ${JSON.stringify(SECRET.value)};` });
  const second = await scan(v2);
  t.like(second.stats, { scanned: 1, cached: 1, exported: true });
  t.like(second.findings[0], { secret: 'api_token', where: 'layer', path: 'srv/app/server.js' });

  // A changed value: nothing proven before applies; every layer above the base is read again.
  const rotated = { name: 'api_token', value: 'module.exports = 1;' };
  const third = await scan(v1, [rotated]);
  t.like(third.stats, { scanned: 2, cached: 0, exported: true });
  t.like(third.findings[0], { path: 'srv/app/deps.js' });
});
