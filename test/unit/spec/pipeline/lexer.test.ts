import test from 'ava';
import { LexerError, splitName, tokenize, type LexerReason } from '../../../../src/spec/pipeline/lexer.js';

// L1: tokens, sources and lengths, defaults, literal-only strings, errors.
const tokenizes = test.macro({
  exec(t, input: string, expected: unknown[]) {
    t.deepEqual(
      tokenize(input).map((tok) => (tok.kind === 'literal' ? ['lit', tok.value, tok.start] : ['var', tok.name, tok.hasDefault, tok.defaultValue, tok.source, tok.start])),
      expected,
    );
  },
  title: (title) => `L1 tokenize: ${title}`,
});

test('literal only', tokenizes, 'just text $1 $(cmd) $((1+2))', [['lit', 'just text $1 $(cmd) $((1+2))', 0]]);
test('empty string', tokenizes, '', []);
test('bare ${.stage}', tokenizes, '${.stage}', [['var', '.stage', false, '', '${.stage}', 0]]);
test('variable between literals', tokenizes, 'a ${foo|with default} string.', [
  ['lit', 'a ', 0],
  ['var', 'foo', true, 'with default', '${foo|with default}', 2],
  ['lit', ' string.', 21],
]);
test('empty default', tokenizes, '${.x|}', [['var', '.x', true, '', '${.x|}', 0]]);
test('default runs to the first }', tokenizes, '${.x|a{b}c}', [
  ['var', '.x', true, 'a{b', '${.x|a{b}', 0],
  ['lit', 'c}', 9],
]);
test('dashes and dots in names', tokenizes, '${a-stage.foo-value}${setup.params.ZUUL_REF}', [
  ['var', 'a-stage.foo-value', false, '', '${a-stage.foo-value}', 0],
  ['var', 'setup.params.ZUUL_REF', false, '', '${setup.params.ZUUL_REF}', 20],
]);
test('adjacent variables', tokenizes, 'w-t-${a.foo} ${.foo}', [
  ['lit', 'w-t-', 0],
  ['var', 'a.foo', false, '', '${a.foo}', 4],
  ['lit', ' ', 12],
  ['var', '.foo', false, '', '${.foo}', 13],
]);

const fails = test.macro({
  exec(t, input: string, reason: LexerReason, offset: number, expression: string) {
    const error = t.throws(() => tokenize(input), { instanceOf: LexerError });
    t.is(error?.reason, reason);
    t.is(error?.offset, offset);
    t.is(error?.message, `invalid variable expression (${reason}): ${expression}`);
    t.truthy(error?.hint);
  },
  title: (title) => `L1 lexer error: ${title}`,
});

test('unterminated', fails, 'echo ${.foo', 'missing the end delimiter }', 5, '${.foo');
test('bad character &', fails, '${foo&}', 'invalid character following name', 0, '${foo&}');
test('shell default syntax', fails, 'x ${FOO:-bar}', 'invalid character following name', 2, '${FOO:-bar}');
test('shell length syntax', fails, '${#arr}', 'name is missing', 0, '${#arr}');
test('empty name', fails, 'a${}', 'name is missing', 1, '${}');
test('default without name', fails, '${|x}', 'name is missing', 0, '${|x}');

test('splitName splits at the first dot', (t) => {
  t.deepEqual(splitName('setup.params.ZUUL_REF'), { namespace: 'setup', key: 'params.ZUUL_REF' });
  t.deepEqual(splitName('.imageID'), { namespace: '', key: 'imageID' });
  t.deepEqual(splitName('HOME'), { namespace: undefined, key: 'HOME' });
});
