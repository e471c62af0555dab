import test from 'ava';
import dockerignore from '@balena/dockerignore';
import { addChanges, describeFiles, emptyChangeSet, isEmpty, isNoise } from '../../../../src/engine/dev/changes.js';
import { inputMatcher, type ImageInputs, type PatternMatcher } from '../../../../src/engine/dev/inputs.js';

// The adapter's matcher (Docker's .dockerignore semantics), injected as the engine expects.
const matcher: PatternMatcher = (patterns) => {
  if (patterns.length === 0) return () => false;
  const ig = (dockerignore as unknown as typeof dockerignore.default)().add([...patterns]);
  return (p) => ig.ignores(p);
};

const noise = test.macro({
  exec(t, path: string, expected: boolean) {
    t.is(isNoise(path), expected);
  },
  title: (_p, path: string, expected: boolean) => `${path} is ${expected ? '' : 'not '}noise`,
});
for (const path of ['src/.app.js.swp', 'src/4913', 'src/app.js~', 'src/.#app.js', 'src/#app.js#', 'src/app.js___jb_tmp___', '.git/index', '.devpipe/runs/x', 'a/.DS_Store', 'x.tmp']) {
  test(noise, path, true);
}
for (const path of ['src/app.js', 'gitignore', 'src/swp.js', 'docs/4913.md']) test(noise, path, false);

const service = (overrides: Partial<ImageInputs> = {}): ImageInputs => ({
  name: 'service',
  extraEntries: [{ kind: 'view', path: '.devpipe-context/local', source: '.', exclude: [], mirror: true }],
  ignorePatterns: ['node_modules', '*.md'],
  ...overrides,
});

const input = test.macro({
  exec(t, inputs: ImageInputs, path: string, expected: boolean) {
    t.is(inputMatcher(inputs, matcher)(path), expected);
  },
  title: (provided = '', _i, path: string, expected: boolean) => `${provided}: ${path} ${expected ? 'is' : 'is not'} an input`,
});

test('copies [local]', input, service(), 'src/app.js', true);
test('copies [local], .dockerignore', input, service(), 'node_modules/x/index.js', false);
test('copies [local], .dockerignore glob', input, service(), 'README.md', false);
const reqs = service({
  extraEntries: [
    { kind: 'view', path: '.devpipe-context/local', source: 'package.json', exclude: [], mirror: true },
    { kind: 'view', path: '.devpipe-context/local', source: 'python/*.py', exclude: [], mirror: true },
    { kind: 'view', path: '.devpipe-context/copy-1', source: 'src/', exclude: ['*.log'] },
  ],
});
test('requirements file', input, reqs, 'package.json', true);
test('requirements file, a sibling', input, reqs, 'package-lock.json', false);
test('glob source', input, reqs, 'python/a.py', true);
test('glob source, another extension', input, reqs, 'python/a.txt', false);
test('exclude view', input, reqs, 'src/main.js', true);
test('exclude view, excluded file', input, reqs, 'src/debug.log', false);
test('exclude view, outside', input, reqs, 'lib/x.js', false);
test('the whole project when sent at the root', input, service({ extraEntries: [], sendProject: true }), 'anything.txt', true);
test('a scratch image with no local inputs', input, service({ extraEntries: [] }), 'src/app.js', false);

test('a change set maps files to images, spec files to a reload, and keeps unrelated paths', (t) => {
  const targets = {
    specFiles: ['.pipeline/blubber.yaml'],
    images: new Map([
      ['web', inputMatcher(service(), matcher)],
      ['worker', inputMatcher(reqs, matcher)],
    ]),
  };
  const set = addChanges(emptyChangeSet(), ['src/main.js', 'src/main.js', 'README.md', '.pipeline/blubber.yaml', 'src/.main.js.swp'], targets);
  t.deepEqual([...set.affected], [
    ['web', ['src/main.js']],
    ['worker', ['src/main.js']],
  ]);
  t.deepEqual(set.specs, ['.pipeline/blubber.yaml']);
  t.deepEqual(set.unrelated, ['README.md']);
  t.false(isEmpty(set));
  t.true(isEmpty(addChanges(emptyChangeSet(), ['README.md', 'x.swp'], targets)));
});

test('describeFiles names a few and counts the rest', (t) => {
  t.is(describeFiles(['a']), 'a');
  t.is(describeFiles(['a', 'b', 'c', 'd', 'e']), 'a, b, c and 2 more');
});
