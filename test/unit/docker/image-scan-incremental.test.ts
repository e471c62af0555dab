/**
 * The incremental leak guard over crafted archives of both `docker save` layouts: verdicts per
 * layer and value set, no export when all is proven clean, legacy layers named by their v1 json.
 */
import test from 'ava';
import { DockerImageScanner } from '../../../src/docker/image-scan.js';
import { VerdictCache } from '../../../src/engine/stack/leak-guard.js';
import type { ScanStats } from '../../../src/ports.js';
import { ArchiveStore } from '../../fakes/archive-store.js';
import { savedImage, type SavedLayer } from '../../helpers/saved-image.js';

const SECRET = { name: 'tok', value: 'canary-7f3a9d1e' };

for (const layout of ['legacy', 'oci'] as const) {
  test(`${layout}: incremental: a leaked layer is caught after cache hits on its neighbours; a changed value invalidates`, async (t) => {
    const store = new ArchiveStore();
    const bottom: SavedLayer[] = [{ files: [{ name: 'etc/x', content: 'base' }] }, { files: [{ name: 'srv/deps/lib.js', content: 'deps' }] }];
    store.add('v1', await savedImage(layout, bottom));
    const scanner = new DockerImageScanner(store);
    let text: string | undefined;
    const run = async (ref: string, secrets = [SECRET]) => {
      const cache = new VerdictCache(text, secrets);
      const findings = await scanner.scan(ref, secrets, { verdicts: cache });
      text = cache.text();
      return { findings, cache };
    };
    t.deepEqual((await run('v1')).findings, []);
    const cleanLayers = store.images.get('v1')!.crafted.diffIds;
    // A rebuild adds a leaky layer on top of the two proven clean ones.
    store.add('v2', await savedImage(layout, [...bottom, { files: [{ name: 'srv/app/.env', content: SECRET.value }] }]));
    const second = await run('v2');
    t.true(cleanLayers.every((d) => second.cache.isClean(d)), 'the neighbours were cache hits');
    t.like(second.findings[0], { secret: 'tok', path: 'srv/app/.env' });
    t.is(second.findings.length, 1);
    // A cached clean verdict is trusted (the layer is not matched again): a cache that claims the
    // leaky layer clean hides it, which is why verdicts are keyed by the exact values.
    const v2Layers = store.images.get('v2')!.crafted.diffIds;
    const lying = { diffIdOf: () => undefined, isClean: (d: string) => d === v2Layers[2], remember: () => undefined };
    t.deepEqual(await scanner.scan('v2', [SECRET], { verdicts: { ...lying, diffIdOf: (k: string) => (k.endsWith(v2Layers[2]!.slice(7)) ? v2Layers[2] : new VerdictCache(text, [SECRET]).diffIdOf(k)) } }), []);
    // …and a changed value is a new set: the bottom layers are matched again and the new value found.
    const changed = { name: 'tok', value: 'deps-and-more' };
    store.add('v4', await savedImage(layout, [{ files: [{ name: 'etc/x', content: 'base' }] }, { files: [{ name: 'srv/deps/lib.js', content: 'deps-and-more' }] }]));
    const fresh = new VerdictCache(text, [changed]);
    t.false(cleanLayers.some((d) => fresh.isClean(d)));
    t.like((await run('v4', [changed])).findings[0], { path: 'srv/deps/lib.js' });
  });
}

for (const layout of ['legacy', 'oci'] as const) {
  test(`${layout}: only the layers a rebuild added are read; a fully cached image is not exported at all`, async (t) => {
    const store = new ArchiveStore();
    const base: SavedLayer[] = [{ files: [{ name: 'etc/os-release', content: 'debian' }] }];
    const deps: SavedLayer = { files: [{ name: 'srv/app/node_modules/x/index.js', content: 'deps'.repeat(5000) }] };
    store.add('base', await savedImage(layout, base));
    store.add('v1', await savedImage(layout, [...base, deps, { files: [{ name: 'srv/app/server.js', content: 'v1' }] }]), 'base');
    const scanner = new DockerImageScanner(store);
    let text: string | undefined;
    const run = async (ref: string) => {
      const cache = new VerdictCache(text, [SECRET]);
      let stats: ScanStats | undefined;
      const findings = await scanner.scan(ref, [SECRET], { verdicts: cache, onStats: (s) => (stats = s) });
      text = cache.text();
      return { findings, stats };
    };
    t.like(await run('v1'), { findings: [], stats: { layers: 3, base: 1, scanned: 2, exported: true } });
    t.is(store.exports, 1);
    // An edit: the top layer changes; deps stay proven clean and are not read again.
    store.add('v2', await savedImage(layout, [...base, deps, { files: [{ name: 'srv/app/server.js', content: 'v2' }] }]), 'base');
    t.like(await run('v2'), { findings: [], stats: { scanned: 1, cached: 1, exported: true } });
    t.is(store.exports, 2);
    // The same layers under another config (a label, an env change, a rebuild of an undone edit):
    // nothing is exported; the config is still checked, from inspect and history.
    const v1 = store.images.get('v1')!.crafted;
    store.add('v1-relabelled', { ...v1, archive: Buffer.alloc(0) }, 'base', { env: ['PATH=/bin'], history: [{ createdBy: 'COPY . /srv/app', comment: '' }] });
    t.like(await run('v1-relabelled'), { findings: [], stats: { layers: 3, base: 1, cached: 2, scanned: 0, exported: false } });
    t.is(store.exports, 2, 'no export when every layer above the base is proven clean');
    store.add('v1-env', { ...v1, archive: Buffer.alloc(0) }, 'base', { env: [`TOKEN=${SECRET.value}`], history: [{ createdBy: `RUN echo ${Buffer.from(SECRET.value).toString('base64')}`, comment: '' }] });
    const leaky = await run('v1-env');
    t.deepEqual(leaky.findings.map((f) => f.where).sort(), ['env', 'history']);
    t.is(store.exports, 2);
  });
}

test('legacy: layers named as Engine 20.10 names them are known before they stream: base layers are not read at all', async (t) => {
  const base: SavedLayer[] = [{ files: [{ name: 'usr/lib/big.so', content: 'elf'.repeat(20000) }] }, { files: [{ name: 'etc/passwd', content: 'root:x:0:0' }] }];
  const app: SavedLayer = { files: [{ name: 'srv/app/.env', content: `TOKEN=${SECRET.value}` }] };
  for (const v1Ids of ['docker', 'opaque'] as const) {
    const store = new ArchiveStore();
    store.add('base', await savedImage('legacy', base, {}, { v1Ids }));
    store.add('app', await savedImage('legacy', [...base, app], {}, { v1Ids }), 'base');
    let stats: ScanStats | undefined;
    const findings = await new DockerImageScanner(store).scan('app', [SECRET], { verdicts: new VerdictCache(undefined, [SECRET]), onStats: (s) => (stats = s) });
    t.like(findings[0], { secret: 'tok', path: 'srv/app/.env' }, v1Ids);
    // Named: identified from their json, skipped unread. Opaque names: hashed to be identified.
    t.like(stats, { base: 2, scanned: 1, baseRead: v1Ids === 'docker' ? 0 : 2 }, v1Ids);
  }
});

test('legacy: a layer directory whose json claims another layer is read all the same (the name must reproduce)', async (t) => {
  const base: SavedLayer[] = [{ files: [{ name: 'etc/os-release', content: 'debian' }] }];
  const store = new ArchiveStore();
  store.add('base', await savedImage('legacy', base));
  const crafted = await savedImage('legacy', [...base, { files: [{ name: 'srv/app/.env', content: SECRET.value }] }]);
  // Swap the top layer's json for the base layer's (as a tampered or foreign archive could).
  const { dockerV1Ids } = await import('../../helpers/saved-image.js');
  const { ids, jsons } = dockerV1Ids(crafted.diffIds);
  const tampered = Buffer.from(crafted.archive.toString('latin1').replace(jsons[1]!, jsons[0]!.padEnd(jsons[1]!.length, ' ')), 'latin1');
  t.not(tampered.indexOf(ids[1]!), -1);
  store.add('app', { ...crafted, archive: tampered }, 'base');
  let stats: ScanStats | undefined;
  const findings = await new DockerImageScanner(store).scan('app', [SECRET], { verdicts: new VerdictCache(undefined, [SECRET]), onStats: (s) => (stats = s) });
  t.like(findings[0], { secret: 'tok', path: 'srv/app/.env' });
  t.like(stats, { scanned: 1 });
});
