import test from 'ava';
import { contextCopyLayers, proveContextLayers } from '../../../../src/engine/stack/leak-proof.js';
import { LEAK_GUARD_CACHE, VerdictCache } from '../../../../src/engine/stack/leak-guard.js';
import { SECRETS_DIR } from '../../../../src/engine/stack/files.js';
import type { HistoryStep } from '../../../../src/ports.js';

const step = (createdBy: string, size: number): HistoryStep => ({ createdBy, comment: 'buildkit.dockerfile.v0', size });
const base = step('/bin/sh -c #(nop) ADD file:abc in / ', 74_000_000);
const history = [
  base,
  step('USER 0', 0),
  step('RUN |3 LIVES_AS=somebody /bin/sh -c useradd … # buildkit', 8880),
  step('WORKDIR /srv/app', 0),
  step('COPY /bin/busybox /usr/local/bin/busybox # buildkit', 1_980_000),
  step('COPY --chown=65533:65533 .devpipe-context/local/www ./www # buildkit', 746),
  step('COPY .devpipe-context/local/server.js ./server.js # buildkit', 120),
  step('ENTRYPOINT ["/usr/local/bin/busybox"]', 0),
];
const layers = ['sha256:base', 'sha256:run', 'sha256:workdir', 'sha256:busybox', 'sha256:www', 'sha256:server'];

test('only copies from the build context are proven, matched to layers by the steps that added bytes', (t) => {
  t.deepEqual(contextCopyLayers(layers, history), ['sha256:www', 'sha256:server']);
});

test('never proven: a RUN, a copy from another image, an ADD; nothing when the alignment is not certain', (t) => {
  t.deepEqual(contextCopyLayers(layers, history.map((s) => (s.createdBy.includes('server.js') ? step('RUN cat .devpipe-context/local/server.js > x # buildkit', 120) : s))), ['sha256:www']);
  // A layer no step accounts for, or a layer-making step without a layer (BuildKit drops some
  // empty ones): the counts differ and nothing is proven.
  t.deepEqual(contextCopyLayers([...layers, 'sha256:extra'], history), []);
  t.deepEqual(contextCopyLayers(layers.filter((l) => l !== 'sha256:workdir'), history), []);
  t.deepEqual(contextCopyLayers(layers, history.map((s) => ({ ...s, size: undefined }))), []);
  // The classic builder records `COPY dir:<hash> in …`: the source is not known, nothing is proven.
  t.deepEqual(contextCopyLayers(['sha256:base', 'sha256:x'], [base, step('/bin/sh -c #(nop) COPY dir:0a1b in /srv/app ', 10)]), []);
  // A source outside devpipe's context views (a generated file, another image's path, `..`): not proven.
  t.deepEqual(contextCopyLayers(['sha256:base', 'sha256:x'], [base, step('COPY .devpipe-context/builder.sh /b.sh # buildkit', 10)]), []);
  t.deepEqual(contextCopyLayers(['sha256:base', 'sha256:x'], [base, step('COPY .devpipe-context/local/a /srv/app/other ./ # buildkit', 10)]), []);
  t.deepEqual(contextCopyLayers(['sha256:base', 'sha256:x'], [base, step('COPY .devpipe-context/local/../x ./ # buildkit', 10)]), []);
});

test('the forms Blubber builds copy the context in: the whole view, several files at once', (t) => {
  const two = ['sha256:base', 'sha256:deps', 'sha256:all'];
  const steps = [base, step('COPY .devpipe-context/local/package.json .devpipe-context/local/package-lock.json ./ # buildkit', 34_800), step('COPY .devpipe-context/local/ . # buildkit', 37_200)];
  t.deepEqual(contextCopyLayers(two, steps), ['sha256:deps', 'sha256:all']);
});

test('proveContextLayers marks the proven layers clean for the current values only', async (t) => {
  const secrets = [{ name: 'tok', value: 'fake-token-value' }];
  const cache = new VerdictCache(undefined, secrets);
  const images = { inspect: async () => ({ id: 'sha256:img', tags: [], labels: {}, env: [], user: '', workingDir: '', entrypoint: null, cmd: null, created: '', size: 0, layers }), history: async () => history };
  t.is(await proveContextLayers(images, 'x', (d) => cache.remember(d, d, true)), 2);
  t.true(cache.isClean('sha256:www'));
  t.false(cache.isClean('sha256:run'));
  // Another value set: nothing of it applies.
  t.false(new VerdictCache(cache.text(), [{ name: 'tok', value: 'another-value-1' }]).isClean('sha256:www'));
  // An adapter without history proves nothing.
  t.is(await proveContextLayers({ inspect: images.inspect }, 'x', () => t.fail()), 0);
});

test('the verdict cache outlives down: it is not under the secret files down removes, and holds no value', (t) => {
  t.false(LEAK_GUARD_CACHE.startsWith(`${SECRETS_DIR}/`), `${LEAK_GUARD_CACHE} would be removed with ${SECRETS_DIR}`);
  const cache = new VerdictCache(undefined, [{ name: 'api_token', value: 'canary-verdict-77' }]);
  cache.remember('layer-key', 'sha256:diff', true);
  cache.addImage('image-key');
  t.false(cache.text().includes('canary-verdict-77'));
});
