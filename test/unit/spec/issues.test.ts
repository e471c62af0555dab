import test from 'ava';
import { editDistance, formatIssue, formatKeyPath, nearest, SpecError, type SpecIssue } from '../../../src/spec/issues.js';

const keyPath = test.macro({
  exec(t, path: (string | number)[], expected: string) {
    t.is(formatKeyPath(path), expected);
  },
  title: (_p, path: (string | number)[], expected: string) => `key path ${JSON.stringify(path)} → ${expected || "''"}`,
});

test(keyPath, ['variants', 'build', 'builders', 1, 'custom', 'command'], 'variants.build.builders[1].custom.command');
test(keyPath, ['runs', 'environment', 'MY_VAR'], 'runs.environment.MY_VAR');
test(keyPath, ['lives', 'uid'], 'lives.uid');
test(keyPath, ['variants', 'odd key'], 'variants["odd key"]');
test(keyPath, ['pipelines', 'test', 'stages', 0], 'pipelines.test.stages[0]');
test(keyPath, [], '');

const issue = (overrides: Partial<SpecIssue> = {}): SpecIssue => ({
  file: '.pipeline/blubber.yaml',
  line: 4,
  col: 5,
  path: 'variants.test.bse',
  message: 'unknown key "bse"',
  hint: 'did you mean "base"?',
  severity: 'error',
  ...overrides,
});

test('formatIssue: file:line:col key.path: message (hint)', (t) => {
  t.is(formatIssue(issue()), '.pipeline/blubber.yaml:4:5 variants.test.bse: unknown key "bse" (hint: did you mean "base"?)');
  t.is(formatIssue(issue({ path: '', hint: undefined, message: 'invalid YAML: x' })), '.pipeline/blubber.yaml:4:5 invalid YAML: x');
  t.is(formatIssue(issue({ severity: 'warning', hint: undefined })), '.pipeline/blubber.yaml:4:5 warning: variants.test.bse: unknown key "bse"');
});

test('SpecError lists every issue sorted by position and exits 2', (t) => {
  const error = new SpecError([issue({ line: 9, col: 1, path: 'b', message: 'second' }), issue({ line: 2, col: 3, path: 'a', message: 'first' })]);
  t.is(error.exitCode, 2);
  t.is(error.message, '2 problems in .pipeline/blubber.yaml');
  t.deepEqual(
    error.details.map((d) => d.split(' ').slice(0, 2).join(' ')),
    ['.pipeline/blubber.yaml:2:3 a:', '.pipeline/blubber.yaml:9:1 b:'],
  );
  t.regex(error.hint ?? '', /nothing was built or started/);
});

test('a single issue is the message itself', (t) => {
  const error = new SpecError([issue()]);
  t.is(error.message, formatIssue(issue()));
  t.deepEqual(error.details, []);
});

test('nearest suggests within typo distance only', (t) => {
  t.is(editDistance('viaraints', 'variants'), 2);
  t.is(nearest('viaraints', ['version', 'variants']), 'variants');
  t.is(nearest('bse', ['base', 'apt', 'node']), 'base');
  t.is(nearest('entrypint', ['entrypoint', 'includes']), 'entrypoint');
  t.is(nearest('zzzzzz', ['base', 'apt']), undefined);
});
