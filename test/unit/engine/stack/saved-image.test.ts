import { createHash } from 'node:crypto';
import test from 'ava';
import { baseLayerCount, chainIds, historyAboveBase, layersToRead, legacyLayerIndex, savedEntry } from '../../../../src/engine/stack/saved-image.js';
import { dockerV1Ids } from '../../../helpers/saved-image.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

test('layers to read: above the base, not proven clean', (t) => {
  const layers = [d(1), d(2), d(3), d(4)];
  t.is(baseLayerCount(layers, [[d(1), d(2)], [d(1)]]), 2);
  t.deepEqual(layersToRead(layers, 2, (id) => id === d(3)), [d(4)]);
  t.deepEqual(layersToRead(layers, 2, () => true), []);
  t.deepEqual(layersToRead(layers, 0, () => false), layers);
});

test('chain IDs: the first is the diff ID, then sha256 of "<parent chain> <diff ID>"', (t) => {
  const chains = chainIds([d(1), d(2)], sha);
  t.deepEqual(chains, [d(1), `sha256:${sha(`${d(1)} ${d(2)}`)}`]);
});

test('legacy layer names: reproduced from the json Docker writes next to the layer; anything else is unknown', (t) => {
  const diffIds = [d(1), d(2), d(3)];
  const { ids, jsons } = dockerV1Ids(diffIds);
  const chains = chainIds(diffIds, sha);
  ids.forEach((id, i) => t.is(legacyLayerIndex(id, jsons[i]!, chains, sha), i));
  t.is(legacyLayerIndex(ids[2]!, jsons[1]!, chains, sha), undefined, 'a json of another layer');
  t.is(legacyLayerIndex(ids[0]!, '{}', chains, sha), undefined);
  t.is(legacyLayerIndex(ids[0]!, 'not json', chains, sha), undefined);
  t.is(legacyLayerIndex(ids[0]!, jsons[0]!, [], sha), undefined, 'no chain known');
  t.deepEqual(savedEntry(`${ids[0]}/json`), { kind: 'v1json', id: ids[0] });
  t.deepEqual(savedEntry(`./${ids[0]}/layer.tar`), { kind: 'layer', layout: 'legacy' });
});

const step = (createdBy: string, extra: { image?: string; created?: string } = {}) => ({ createdBy, comment: '', ...extra });

test('history above the base: after the base\'s own steps; else above its image; else by time', (t) => {
  const steps = [step('ADD rootfs', { created: '2026-01-01T00:00:00Z' }), step('CMD ["sh"]', { image: 'sha256:base', created: '2026-01-01T00:00:00Z' }), step('COPY . /srv', { created: '2026-11-30T10:00:00Z' })];
  const own = historyAboveBase(steps, { id: 'sha256:base', history: [step('ADD rootfs'), step('CMD ["sh"]')] });
  t.deepEqual(own.map((s) => s.createdBy), ['COPY . /srv']);
  t.deepEqual(historyAboveBase(steps, { id: 'sha256:base' }).map((s) => s.createdBy), ['COPY . /srv']);
  // Neither the base's steps nor its ID: by time, the base's own second included (kept in scope).
  t.deepEqual(historyAboveBase(steps, { id: 'sha256:other', created: '2026-01-01T00:00:00.500Z' }).map((s) => s.createdBy), ['ADD rootfs', 'CMD ["sh"]', 'COPY . /srv']);
  t.deepEqual(historyAboveBase(steps, { id: 'sha256:other', created: '2026-06-01T00:00:00Z' }).map((s) => s.createdBy), ['COPY . /srv']);
  // A base whose steps do not prefix the image's: not trusted as a prefix.
  t.is(historyAboveBase(steps, { id: 'x', history: [step('something else')] }).length, 3);
  t.is(historyAboveBase(steps, undefined).length, 3);
});
