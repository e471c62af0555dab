import test from 'ava';
import { formatIssue } from '../../../src/spec/issues.js';
import { issueAt, locate, locateKey, parseYaml } from '../../../src/spec/yaml.js';

const syntaxError = test.macro({
  exec(t, text: string, line: number, col: number, message: RegExp) {
    const parsed = parseYaml(text, 'f.yaml');
    if (parsed.ok) return t.fail('expected a syntax error');
    const first = parsed.errors[0]!;
    t.is(first.line, line);
    t.is(first.col, col);
    t.regex(first.message, message);
    t.truthy(first.hint, 'every known YAML error carries a hint');
    t.is(first.severity, 'error');
  },
  title: (provided = '') => `YAML syntax error is located: ${provided}`,
});

test('unclosed flow sequence', syntaxError, 'a: [1, 2\nb: 3\n', 2, 1, /invalid YAML/);
test('duplicate key', syntaxError, 'a: 1\nb: 2\na: 3\n', 3, 1, /unique/);
test('tab indentation', syntaxError, 'a:\n\tb: 1\n', 2, 1, /Tabs/);
test('bad indentation', syntaxError, 'variants:\n  test:\n    base: x\n   apt: y\n', 4, 1, /same column/);
test('unterminated quote', syntaxError, 'a: "abc\nb: 2\n', 3, 1, /Missing closing/);

test('all syntax errors are reported, not just the first', (t) => {
  const parsed = parseYaml('a: 1\na: 2\nb:\n\tc: 1\n', 'f.yaml');
  t.false(parsed.ok);
  if (!parsed.ok) t.true(parsed.errors.length >= 2);
});

test('YAML 1.1 scalars as Blubber and Jenkins read them: yes/no/on/off are booleans', (t) => {
  const parsed = parseYaml('a: yes\nb: off\nc: "yes"\nd: ~\ne: 0o10\nf: 010\n', 'f.yaml');
  if (!parsed.ok) return t.fail();
  t.deepEqual(parsed.value, { a: true, b: false, c: 'yes', d: null, e: '0o10', f: 8 });
});

test('a lone `.` stays a string (Go and Java YAML 1.1 readers agree), real floats stay floats', (t) => {
  const parsed = parseYaml('a: .\nb: 1.5\nc: .5\nd: ..\n', 'f.yaml');
  if (!parsed.ok) return t.fail();
  t.deepEqual(parsed.value, { a: '.', b: 1.5, c: 0.5, d: '..' });
});

test('anchors and merge keys resolve', (t) => {
  const parsed = parseYaml('base: &b {x: 1, z: 2}\nderived:\n  <<: *b\n  z: 3\n', 'f.yaml');
  if (!parsed.ok) return t.fail();
  t.deepEqual(parsed.value, { base: { x: 1, z: 2 }, derived: { x: 1, z: 3 } });
});

test('locate finds values and keys; a missing path falls back to its deepest ancestor', (t) => {
  const parsed = parseYaml('version: v4\nvariants:\n  test:\n    copies: [local, {from: x}]\n', 'f.yaml');
  if (!parsed.ok) return t.fail();
  const { source } = parsed;
  t.deepEqual(locate(source, ['variants', 'test', 'copies', 1, 'from']), { line: 4, col: 28 });
  t.deepEqual(locateKey(source, ['variants', 'test', 'copies']), { line: 4, col: 5 });
  t.deepEqual(locate(source, ['variants', 'test', 'nope', 'deeper']), { line: 4, col: 5 });
  t.is(
    formatIssue(issueAt(source, ['variants', 'test', 'copies', 0], 'bad', { hint: 'fix it' })),
    'f.yaml:4:14 variants.test.copies[0]: bad (hint: fix it)',
  );
});

test('an empty document parses to null', (t) => {
  const parsed = parseYaml('', 'f.yaml');
  t.true(parsed.ok);
  if (parsed.ok) t.is(parsed.value, null);
});
