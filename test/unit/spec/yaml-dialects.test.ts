/**
 * Plain scalars as CI's readers type them. Every expected value below was produced by the real
 * reader: Go yaml.v2 v2.4.0 through ghodss/yaml (Blubber) and SnakeYAML 1.33 SafeConstructor
 * (PipelineLib); docs/yaml.md has the table and how it was made.
 */
import test from 'ava';
import { parseYaml, type YamlDialect } from '../../../src/spec/yaml.js';

function read(dialect: YamlDialect, scalar: string): unknown {
  const parsed = parseYaml(`v: ${scalar}\n`, 'f.yaml', { dialect });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return (parsed.value as { v: unknown }).v;
}

const date = (iso: string): Date => new Date(iso);

//             scalar                 go-yaml-v2 (Blubber)        SnakeYAML (PipelineLib)
const table: [string, unknown, unknown][] = [
  ['y', true, 'y'],
  ['Y', true, 'Y'],
  ['n', false, 'n'],
  ['N', false, 'N'],
  ['yes', true, true],
  ['No', false, false],
  ['on', true, true],
  ['OFF', false, false],
  ['~', null, null],
  ['Null', null, null],
  ['010', 8, 8],
  ['08', 8, '08'],
  ['0o17', 15, '0o17'],
  ['0x1F', 31, 31],
  ['0b101', 5, 5],
  ['-0b1', -1, -1],
  ['1_000', 1000, 1000],
  ['1e3', 1000, 1000],
  ['1.', 1, 1],
  ['.5', 0.5, 0.5],
  ['.', '.', '.'],
  ['1.2.3', '1.2.3', '1.2.3'],
  ['1:20', '1:20', 80],
  ['190:20:30.15', '190:20:30.15', 685230.15],
  ['9:70', '9:70', '9:70'],
  ['1e400', '1e400', Number.POSITIVE_INFINITY],
  ['2024-01-31', '2024-01-31', date('2024-01-31T00:00:00Z')],
  ['2024-1-1 10:00:00', '2024-1-1 10:00:00', date('2024-01-01T10:00:00Z')],
  ['2024-1-1', '2024-1-1', '2024-1-1'],
  ['123abc', '123abc', '123abc'],
];

for (const [scalar, go, snake] of table) {
  test(`go-yaml-v2 reads ${scalar} as ${JSON.stringify(go)}`, (t) => {
    t.deepEqual(read('go-yaml-v2', scalar), go);
  });
  test(`snakeyaml reads ${scalar} as ${snake instanceof Date ? `the date ${snake.toISOString()}` : JSON.stringify(snake)}`, (t) => {
    t.deepEqual(read('snakeyaml', scalar), snake);
  });
}

test('quoted scalars are strings in every dialect', (t) => {
  for (const dialect of ['go-yaml-v2', 'snakeyaml'] as const) {
    t.is(read(dialect, '"y"'), 'y');
    t.is(read(dialect, "'010'"), '010');
  }
});

test('keys are typed too: `n:` is "false" for Go, "n" for SnakeYAML', (t) => {
  const go = parseYaml('n: 1\n', 'f.yaml', { dialect: 'go-yaml-v2' });
  const snake = parseYaml('n: 1\n', 'f.yaml', { dialect: 'snakeyaml' });
  t.deepEqual(go.ok && go.value, { false: 1 });
  t.deepEqual(snake.ok && snake.value, { n: 1 });
});

test('both readers keep the last of duplicate keys; without a dialect a duplicate is an error', (t) => {
  for (const dialect of ['go-yaml-v2', 'snakeyaml'] as const) {
    const parsed = parseYaml('a: 1\na: 2\n', 'f.yaml', { dialect });
    t.true(parsed.ok);
    if (parsed.ok) {
      t.deepEqual(parsed.value, { a: 2 });
      t.is(parsed.warnings.length, 1);
    }
  }
  t.false(parseYaml('a: 1\na: 2\n', 'f.yaml').ok);
});

test('a second document: yaml.v2 reads the first (warning); SnakeYAML\'s readYaml gets a list, so it stays an error', (t) => {
  const go = parseYaml('a: 1\n---\nb: 2\n', 'f.yaml', { dialect: 'go-yaml-v2' });
  t.true(go.ok);
  if (go.ok) t.deepEqual(go.value, { a: 1 });
  t.false(parseYaml('a: 1\n---\nb: 2\n', 'f.yaml', { dialect: 'snakeyaml' }).ok);
});

test('a flow sequence continued left of its key is read by both; errors keep the file\'s columns', (t) => {
  for (const dialect of ['go-yaml-v2', 'snakeyaml'] as const) {
    const parsed = parseYaml('a:\n  b: [1,\n  2]\n  c: [x,\ny, "q[",\n z]\n', 'f.yaml', { dialect });
    t.true(parsed.ok);
    if (parsed.ok) t.deepEqual(parsed.value, { a: { b: [1, 2], c: ['x', dialect === 'go-yaml-v2' ? true : 'y', 'q[', 'z'] } });
  }
  const bad = parseYaml('a: [1,\nb: ]\n c\n', 'f.yaml', { dialect: 'go-yaml-v2' });
  t.false(bad.ok);
});
