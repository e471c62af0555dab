import test from 'ava';
import { evaluateIf, ExprError, parseExpression } from '../../../../src/spec/gitlab/index.js';

const vars = (table: Record<string, string>) => (name: string) => table[name];

const evaluates = test.macro({
  exec(t, expression: string, table: Record<string, string>, expected: boolean) {
    t.is(evaluateIf(expression, vars(table)), expected);
  },
  title: (_title, expression: string, table: Record<string, string>, expected: boolean) => `${expression} with ${JSON.stringify(table)} → ${expected}`,
});

// K05, as listed in kokkuri.md §4.
test('K05:', evaluates, '$A == null', {}, true);
test('K05:', evaluates, '$A', { A: '' }, false);
test('K05:', evaluates, '$A == ""', { A: '' }, true);
test('K05:', evaluates, '$A == null', { A: '' }, false);
test('K05:', evaluates, '$U != "main"', {}, true);
test('K05:', evaluates, '$X =~ /^AB/i', { X: 'abc' }, true);
test('K05:', evaluates, '$X =~ /ab/', {}, false);
test('K05:', evaluates, '$X !~ /ab/', {}, true);
test('K05:', evaluates, '$T =~ /^v\\d+\\.\\d+\\.\\d+/', { T: 'v10.2.33-rc1' }, true);
// More of GitLab's semantics (§2.7).
test(evaluates, '$CI_COMMIT_REF_PROTECTED', { CI_COMMIT_REF_PROTECTED: 'false' }, true);
test(evaluates, "$CI_COMMIT_REF_PROTECTED == 'true'", { CI_COMMIT_REF_PROTECTED: 'false' }, false);
test(evaluates, '$CI_COMMIT_BRANCH != $CI_DEFAULT_BRANCH', { CI_DEFAULT_BRANCH: 'main', CI_COMMIT_TAG: 'v1' }, true);
test(evaluates, '$A == "x" || $B == "y" && $C', { A: 'x' }, true);
test(evaluates, '($A == "x" || $B == "y") && $C', { A: 'x' }, false);
test(evaluates, '$A && $B', { A: '', B: 'b' }, true); // Ruby: "" is not false inside &&
test(evaluates, '$A || $B', { B: '' }, false);
test(evaluates, '$T =~ /^v1\\/x/', { T: 'v1/x' }, true);
test(evaluates, '$P =~ $R', { P: 'release-1', R: '/^release-\\d$/' }, true);
test(evaluates, '$A == \'it"s\'', { A: 'it"s' }, true);
test(evaluates, 'null', {}, false);
test(evaluates, '$X =~ /Ab/', { X: 'zab' }, false);
test(evaluates, '$X =~ /ab/i', { X: 'ZAB' }, true);

const rejects = test.macro({
  exec(t, expression: string, fragment: RegExp) {
    const error = t.throws(() => parseExpression(expression), { instanceOf: ExprError });
    t.regex(error!.message, fragment);
  },
  title: (_title, expression: string) => `a syntax error: ${expression}`,
});

test('K06:', rejects, '$N =~ /x/', /\/x\/.*at least two characters/);
test(rejects, '$A ==', /ends where a value was expected/);
test(rejects, '($A == "b"', /not closed/);
test(rejects, '$A == "b" "c"', /after a complete expression/);
test(rejects, '$A = "b"', /unknown token/);
test(rejects, '', /empty/);
test(rejects, Array.from({ length: 60 }, (_, i) => `$V${i}`).join(' && '), /more than 100 tokens/);
