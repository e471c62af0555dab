import test from 'ava';
import { Bindings, InterpolationError } from '../../../../src/spec/pipeline/bindings.js';
import { ExecutionGraph } from '../../../../src/spec/pipeline/graph.js';
import { groovyString, interpolate, interpolateString, mergeValues, tokenizeBy } from '../../../../src/spec/pipeline/interpolate.js';

/*  a → b → c → d → e → f,  x → d → y → f  */
function diamond(): Bindings {
  const bindings = new Bindings(new ExecutionGraph([['a', 'b', 'c', 'd', 'e', 'f'], ['x', 'd', 'y', 'f']]));
  bindings.bind('a', 'foo', 'afoo');
  bindings.bind('a', 'bar', 'abar');
  bindings.bind('b', 'foo', 'bfoo');
  bindings.bind('x', 'bar', 'xbar');
  return bindings;
}

// X1: visibility follows ancestry; write-once.
const reads = test.macro({
  exec(t, stage: string, ns: string, key: string, expected: string | InterpolationError['code']) {
    const ctx = diamond().of(stage);
    if (expected === 'ancestor-not-found' || expected === 'name-not-found') {
      const error = t.throws(() => interpolateString(`\${${ns}.${key}}`, ctx), { instanceOf: InterpolationError });
      t.is(error?.code, expected);
    } else {
      t.is(interpolateString(`\${${ns}.${key}}`, ctx), expected);
    }
  },
  title: (title, stage, ns, key, expected) => `X1 ${stage} reads ${ns}.${key} → ${String(expected)}${title ? ` (${title})` : ''}`,
});

test(reads, 'c', 'a', 'foo', 'afoo');
test(reads, 'c', 'a', 'bar', 'abar');
test(reads, 'c', 'b', 'foo', 'bfoo');
test(reads, 'e', 'x', 'bar', 'xbar');
test('sibling branch', reads, 'c', 'x', 'bar', 'ancestor-not-found');
test('descendant', reads, 'a', 'b', 'foo', 'ancestor-not-found');
test('own name is not an ancestor', reads, 'b', 'b', 'foo', 'ancestor-not-found');
test('unknown key', reads, 'c', 'a', 'baz', 'name-not-found');

test('X1 non-ancestor error names both stages', (t) => {
  const error = t.throws(() => interpolateString('${x.bar}', diamond().of('c')), { instanceOf: InterpolationError });
  t.is(error?.message, "cannot access 'x.*' values since 'c' does not follow it in the graph");
  t.regex(error?.hint ?? '', /\[x, c\]/);
});

test('X1 unknown namespace hints at the nearest stage', (t) => {
  const error = t.throws(() => interpolateString('${aa.foo|dflt}', diamond().of('c')), { instanceOf: InterpolationError });
  t.is(error?.code, 'ancestor-not-found');
  t.regex(error?.hint ?? '', /no stage named `aa`; did you mean `a`/);
});

test('X1 re-binding a name throws', (t) => {
  const bindings = diamond();
  const error = t.throws(() => bindings.of('b').bind('foo', 'newfoo'), { instanceOf: InterpolationError });
  t.is(error?.code, 'already-bound');
  t.is(error?.message, "'b' already has a value assigned to 'foo'");
  t.is(bindings.lookup('b', 'foo').found && bindings.of('c').ofAncestor('b', 'foo').found, true);
});

test('X1 name-not-found lists the available variables', (t) => {
  const error = t.throws(() => interpolateString('w-t-${.bar}', diamond().of('b')), { instanceOf: InterpolationError });
  t.is(error?.message, "no value bound for 'b.bar'; all available variables are: [a.foo, a.bar, b.foo]");
});

// X2: string interpolation.
const renders = test.macro({
  exec(t, stage: string, input: unknown, expected: unknown) {
    const bindings = diamond();
    bindings.bind('b', 'empty', '');
    bindings.bind('b', 'zero', 0);
    bindings.bind('b', 'list', ['x', 'y']);
    bindings.bind('b', 'map', { k: 'v' });
    bindings.bind('a-stage', 'foo-value', 'dashed');
    bindings.bind('b', 'stage', 'b');
    t.deepEqual(interpolate(input, bindings.of(stage)), expected);
  },
  title: (title, stage, input) => `X2 ${title || JSON.stringify(input)} in ${stage}`,
});

test('ancestor and own', renders, 'b', 'w-t-${a.foo} ${.foo}', 'w-t-afoo bfoo');
test('non-string passes through', renders, 'b', true, true);
test('numbers pass through', renders, 'b', 42, 42);
test('dot-less unknown names stay verbatim', renders, 'b', 'echo ${FOO} ${bar} $HOME', 'echo ${FOO} ${bar} $HOME');
test('dot-less unknown with default stays verbatim', renders, 'b', '${FOO|x}', '${FOO|x}');
test('dot-less bound name resolves to the own value', renders, 'b', '${stage}', 'b');
test('default on empty string', renders, 'b', '${.empty|default value}', 'default value');
test('default on zero', renders, 'b', '${.zero|none}', 'none');
test('falsy without default renders empty', renders, 'b', '[${.zero}][${.empty}]', '[][]');
test('missing name with empty default', renders, 'b', '${.nonexistent|}', '');
test('missing ancestor key with default', renders, 'c', '${a.nope|fallback}', 'fallback');
test('lists and maps print Groovy-style', renders, 'b', '${.list} ${.map}', '[x, y] [k:v]');
test('maps: keys and values', renders, 'b', { '${.foo}-key': ['${a.foo}', 1, { n: '${.foo}' }] }, { 'bfoo-key': ['afoo', 1, { n: 'bfoo' }] });

test('X2 a default never rescues a non-ancestor', (t) => {
  const error = t.throws(() => interpolateString('${x.bar|d}', diamond().of('c')), { instanceOf: InterpolationError });
  t.is(error?.code, 'ancestor-not-found');
});

test('X2 lexer errors carry their offset', (t) => {
  const error = t.throws(() => interpolateString('run ${FOO:-x}', diamond().of('c')), { instanceOf: InterpolationError });
  t.is(error?.code, 'lexer');
  t.is(error?.offset, 4);
});

// X3: $each, $merge.
test('X3 nested $each with a custom delimiter', (t) => {
  const bindings = new Bindings(new ExecutionGraph([['a', 'b']]));
  bindings.bind('a', 'foo', 'foo1\nfoo2\nfoo3\n');
  bindings.bind('b', 'bar', 'bbar');
  const value = {
    things: {
      $each: 'bar',
      $in: '${a.foo}',
      $yield: { fat: '${.bar}', bat: '${b.bar}', cat: { $each: 'char', $in: '${.bar}', $delimiter: 'o' } },
    },
  };
  t.deepEqual(interpolate(value, bindings.of('b')), {
    things: [
      { fat: 'foo1', bat: 'bbar', cat: ['f', '1'] },
      { fat: 'foo2', bat: 'bbar', cat: ['f', '2'] },
      { fat: 'foo3', bat: 'bbar', cat: ['f', '3'] },
    ],
  });
});

test('X3 destructuring $each', (t) => {
  const ctx = new Bindings(new ExecutionGraph([['a']])).of('a');
  const value = { $each: ['bar', 'baz'], $in: 'foo1 foo2\nfoo3 foo4', $yield: '${.baz}-${.bar}' };
  t.deepEqual(interpolate(value, ctx), ['foo2-foo1', 'foo4-foo3']);
});

test('X3 destructuring with too few values', (t) => {
  const ctx = new Bindings(new ExecutionGraph([['a']])).of('a');
  const error = t.throws(() => interpolate({ $each: ['x', 'y'], $in: 'one', $yield: '${.x}' }, ctx), { instanceOf: InterpolationError });
  t.is(error?.code, 'insufficient-input');
  t.is(error?.message, 'insufficient number of values given ([one]) to bind to variables ([x, y])');
});

test('X3 $each over a versions output (reference §2.4)', (t) => {
  const bindings = new Bindings(new ExecutionGraph([['versions', 'test']]));
  bindings.bind('versions', 'output', '18\n20\n22\n');
  t.deepEqual(interpolate({ $each: 'v', $in: '${versions.output}', $yield: 'node${.v}' }, bindings.of('test')), ['node18', 'node20', 'node22']);
});

test('X3 $in list is used as is; scalars are wrapped', (t) => {
  const ctx = new Bindings(new ExecutionGraph([['a']])).of('a');
  t.deepEqual(interpolate({ $each: 'v', $in: ['p', 'q'] }, ctx), ['p', 'q']);
  t.deepEqual(interpolate({ $each: 'v', $in: '' }, ctx), []);
});

test('X3 inside $yield the stage is reached by name, not by .', (t) => {
  const bindings = new Bindings(new ExecutionGraph([['a']]));
  bindings.bind('a', 'stage', 'a');
  const error = t.throws(() => interpolate({ $each: 'v', $in: 'x', $yield: '${.stage}' }, bindings.of('a')), { instanceOf: InterpolationError });
  t.is(error?.code, 'name-not-found');
  t.deepEqual(interpolate({ $each: 'v', $in: 'x', $yield: '${a.stage}-${.v}' }, bindings.of('a')), ['a-x']);
});

const merges = test.macro({
  exec(t, left: unknown, right: unknown, expected: unknown) {
    const bindings = new Bindings(new ExecutionGraph([['a']]));
    bindings.bind('a', 'foo', 'bar');
    t.deepEqual(interpolate({ $merge: left, $with: right }, bindings.of('a')), expected);
  },
  title: (title) => `X3 $merge ${title}`,
});
test('of lists keeps duplicates', merges, ['a', 'b', 'c'], ['c', 'd-${.foo}'], ['a', 'b', 'c', 'c', 'd-bar']);
test('of maps: right side wins', merges, { foo: 'x', bar: 'y' }, { bar: 'z' }, { foo: 'x', bar: 'z' });
test('of strings concatenates', merges, 'foo', '-${.foo}', 'foo-bar');
test('of a list and an item appends', merges, ['a'], 'b', ['a', 'b']);

test('X3 $merge of a map and a list is an error', (t) => {
  const error = t.throws(() => mergeValues({ a: 1 }, ['x']), { instanceOf: InterpolationError });
  t.is(error?.code, 'merge');
});

test('X3 getAll across namespaces', (t) => {
  const bindings = new Bindings(new ExecutionGraph([['a', 'b', 'c', 'z'], ['x', 'b', 'y', 'z']]));
  bindings.bind('a', 'foo', 'afoo');
  bindings.bind('c', 'foo', 'cfoo');
  bindings.bind('y', 'foo', 'yfoo');
  t.deepEqual(Object.fromEntries(bindings.getAll('foo')), { a: 'afoo', c: 'cfoo', y: 'yfoo' });
});

test('tokenizeBy: delimiter set, runs collapse, empties dropped', (t) => {
  t.deepEqual(tokenizeBy('foo1', 'o'), ['f', '1']);
  t.deepEqual(tokenizeBy('a||b|,c', '|,'), ['a', 'b', 'c']);
  t.deepEqual(tokenizeBy('\n\n', '\n'), []);
});

test('groovyString', (t) => {
  t.is(groovyString(['a', ['b']]), '[a, [b]]');
  t.is(groovyString({}), '[:]');
  t.is(groovyString(null), 'null');
});
