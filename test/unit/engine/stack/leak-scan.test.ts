import test from 'ava';
import { ChunkMatcher, contextLeaks, leakError, scanImageConfig } from '../../../../src/engine/stack/leak-scan.js';
import { ignoreMatcher } from '../../../../src/docker/build-context.js';

const needles = [{ name: 'tok', value: 'SECRET-123456' }];

const chunks = test.macro({
  exec(t, parts: string[], found: string[]) {
    const matcher = new ChunkMatcher(needles);
    for (const part of parts) matcher.feed(Buffer.from(part));
    t.deepEqual(matcher.found(), found);
  },
  title: (title = '') => `chunk matcher: ${title}`,
});

test('inside one chunk', chunks, ['xx SECRET-123456 yy'], ['tok']);
test('split across two chunks', chunks, ['xx SECRET-', '123456 yy'], ['tok']);
test('split across many tiny chunks', chunks, 'aSECRET-123456b'.split(''), ['tok']);
test('absent', chunks, ['SECRET-12345', '7'], []);

test('reset forgets the previous file (no match across files)', (t) => {
  const matcher = new ChunkMatcher(needles);
  matcher.feed(Buffer.from('SECRET-'));
  matcher.reset();
  matcher.feed(Buffer.from('123456'));
  t.deepEqual(matcher.found(), []);
});

test('image config: env, labels, history, entrypoint', (t) => {
  const findings = scanImageConfig(
    { env: ['PATH=/bin', 'TOKEN=SECRET-123456'], labels: { a: 'SECRET-123456' }, history: [{ created_by: 'RUN echo SECRET-123456 > /x' }], cmd: ['--token=SECRET-123456'] },
    needles,
  );
  t.deepEqual(findings.map((f) => [f.where, f.path]), [
    ['env', 'TOKEN'],
    ['label', 'a'],
    ['history', 'step 1: RUN echo SECRET-123456 > /x'],
    ['config', 'entrypoint/cmd'],
  ]);
  const error = leakError('img:1', [{ secret: 'tok', where: 'layer', layer: '3/5 (abc)', path: 'srv/app/.env' }]);
  t.is(error.exitCode, 1);
  t.is(error.message, 'image img:1 contains the value of secret "tok"');
  t.deepEqual(error.details, ['secret "tok" in layer 3/5 (abc) at /srv/app/.env']);
});

const secretFiles = ['.devpipe/secrets/tok', 'my-secrets.yaml'];
const matcher = (patterns: readonly string[]) => ignoreMatcher(patterns);

test('context: a view of the whole project without .dockerignore would send a --secrets file in the project, never .devpipe/ (never in any context)', (t) => {
  t.deepEqual(contextLeaks([{ kind: 'view', path: 'c0', source: '.', exclude: [] }], false, secretFiles, [], matcher), ['my-secrets.yaml']);
});

test('context: .dockerignore or the view exclude keep them out; narrow views never see them', (t) => {
  t.deepEqual(contextLeaks([{ kind: 'view', path: 'c0', source: '.', exclude: [] }], false, secretFiles, ['.devpipe', 'my-secrets.yaml'], matcher), []);
  t.deepEqual(contextLeaks([{ kind: 'view', path: 'c0', source: './', exclude: ['.devpipe'] }], false, secretFiles, [], matcher), ['my-secrets.yaml']);
  t.deepEqual(contextLeaks([{ kind: 'view', path: 'c0', source: './service', exclude: [] }], false, secretFiles, [], matcher), []);
  t.deepEqual(contextLeaks([{ kind: 'view', path: 'c0', source: '.devpipe', exclude: [] }], false, secretFiles, [], matcher), []);
  t.deepEqual(contextLeaks([], true, secretFiles, [], matcher), ['my-secrets.yaml'], 'sendProject: the project root');
});
