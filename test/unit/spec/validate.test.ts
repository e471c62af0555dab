import test from 'ava';
import { z } from 'zod';
import { formatIssue } from '../../../src/spec/issues.js';
import { allowedKeysAt, describeValue, validate } from '../../../src/spec/validate.js';
import { parseYaml } from '../../../src/spec/yaml.js';

const artifact = z.strictObject({ from: z.string(), source: z.string().optional(), destination: z.string().optional() });
const variant = z.strictObject({
  base: z.string().nullable().optional(),
  copies: z.array(z.union([z.string(), artifact])).optional(),
  runs: z.strictObject({ as: z.string().optional(), environment: z.record(z.string(), z.string()).optional(), insecurely: z.boolean().optional() }).optional(),
});
const schema = z.strictObject({
  version: z.literal('v4', { error: 'must be "v4"\nhint: devpipe reads Blubber v4' }),
  variants: z.record(z.string(), variant).optional(),
});

function check(text: string): string[] {
  const parsed = parseYaml(text, 'b.yaml');
  if (!parsed.ok) throw new Error('unexpected YAML error');
  const result = validate(schema, parsed.value, parsed.source);
  return result.ok ? [] : result.errors.map(formatIssue);
}

const located = test.macro({
  exec(t, text: string, expected: string[]) {
    t.deepEqual(check(text), expected);
  },
  title: (provided = '') => `validate: ${provided}`,
});

test('a valid document has no issues', located, 'version: v4\nvariants:\n  test: {base: x, copies: [local]}\n', []);
test('custom message and hint', located, 'version: v3\n', ['b.yaml:1:10 version: must be "v4" (hint: devpipe reads Blubber v4)']);
test('unknown key at the key, with a suggestion', located, 'version: v4\nvariants:\n  test:\n    bse: x\n', [
  'b.yaml:4:5 variants.test.bse: unknown key "bse" (hint: did you mean "base"?)',
]);
test('unknown key with no near match lists the valid keys', located, 'version: v4\nvariants:\n  test:\n    runs: {zzzzzzzz: 1}\n', [
  'b.yaml:4:12 variants.test.runs.zzzzzzzz: unknown key "zzzzzzzz" (hint: valid keys here: as, environment, insecurely)',
]);
test('a number where a string is expected says to quote it', located, 'version: v4\nvariants:\n  test:\n    runs: {environment: {A: 1}}\n', [
  'b.yaml:4:29 variants.test.runs.environment.A: expected a string, got the number 1 (hint: quote it: "1" (YAML reads unquoted 1 as a number))',
]);
test('a union failing on type names both branches', located, 'version: v4\nvariants:\n  test:\n    copies: [3]\n', [
  'b.yaml:4:14 variants.test.copies[0]: expected a string or a mapping, got the number 3',
]);
test('a union whose object branch got further reports inside it', located, 'version: v4\nvariants:\n  test:\n    copies: [{from: x, sauce: y}]\n', [
  'b.yaml:4:24 variants.test.copies[0].sauce: unknown key "sauce" (hint: did you mean "source"?)',
]);
test('a required key that is missing points at its mapping', located, 'version: v4\nvariants:\n  test:\n    copies: [{source: yy}]\n', [
  'b.yaml:4:14 variants.test.copies[0].from: is required: expected a string',
]);
test('YAML 1.1 boolean where a string is expected', located, 'version: v4\nvariants:\n  test:\n    base: yes\n', [
  'b.yaml:4:11 variants.test.base: expected a string, got the boolean true (hint: quote it: "yes" (YAML reads unquoted yes as a boolean))',
]);

test('all issues are collected, not the first one', (t) => {
  const issues = check('version: v3\nvariants:\n  a: {bse: x}\n  b: {runs: {insecurely: maybe}}\n');
  t.is(issues.length, 3);
});

test('allowedKeysAt walks records, arrays, unions and optionals', (t) => {
  t.deepEqual(allowedKeysAt(schema, ['variants', 'anything', 'copies', 0]), ['from', 'source', 'destination']);
  t.deepEqual(allowedKeysAt(schema, []), ['version', 'variants']);
});

test('describeValue names YAML values', (t) => {
  t.is(describeValue(null), 'null');
  t.is(describeValue([1]), 'a list');
  t.is(describeValue({}), 'a mapping');
  t.is(describeValue(''), 'an empty string');
  t.is(describeValue('x'.repeat(50)), `the string "${'x'.repeat(37)}..."`);
});
