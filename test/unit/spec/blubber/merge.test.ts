import test from 'ava';
import { expandVariant, includeOrder } from '../../../../src/spec/blubber/index.js';
import { mergeBuilders, mergeCopies, mergeStruct } from '../../../../src/spec/blubber/merge.js';
import { brief, doc, expand, load } from './support.js';

test('U01 include merge order is depth first, each once', (t) => {
  const config = load(doc('variants:\n  aaa: { includes: [bbb, ccc] }\n  bbb: { includes: [ddd, eee] }\n  ccc: {}\n  ddd: { includes: [fff] }\n  eee: {}\n  fff: {}\n'));
  const order = includeOrder(config, 'aaa');
  t.deepEqual(order.ok ? order.order : order.error, ['fff', 'ddd', 'eee', 'bbb', 'ccc']);
});

test('U02 include cycle is an error naming the cycle, located at the include', (t) => {
  const config = load(doc('variants:\n  varA: { includes: [varB] }\n  varB: { includes: [varA] }\n'));
  const result = expandVariant(config, 'varA');
  t.false(result.ok);
  if (result.ok) return;
  t.deepEqual(brief(result.errors), ['5:22 variants.varB.includes[0]: includes form a cycle: varA → varB → varA']);
  t.regex(result.errors[0]?.hint ?? '', /cannot include itself/);
});

test('unknown variant: did you mean', (t) => {
  const result = expandVariant(load(doc('variants:\n  build: {}\n')), 'biuld');
  t.false(result.ok);
  if (!result.ok) t.is(result.errors[0]?.hint, 'did you mean "build"?');
});

const u05 = doc(
  'base: foo-slim\nvariants:\n  build: { base: foo-devel, runs: { as: foo } }\n  development: { includes: [build], runs: { uid: 123 } }\n  test: { includes: [development], runs: { insecurely: true } }\n',
).replace('base: debian:bookworm\n', '');

test('U05 multi-level includes', (t) => {
  const dev = expand(u05, 'development');
  t.is(dev.base, 'foo-devel');
  t.is(dev.runs.as, 'foo');
  t.is(dev.runs.uid, 123);
  t.false(dev.runs.insecurely);
  const testVariant = expand(u05, 'test');
  t.is(testVariant.base, 'foo-devel');
  t.is(testVariant.runs.uid, 123);
  t.true(testVariant.runs.insecurely);
});

test('U06 the last include wins', (t) => {
  const v = expand(doc('variants:\n  mammal: { base: neutral }\n  human: { base: moral, includes: [mammal] }\n  lizard: { base: immoral }\n  lizardman: { includes: [human, lizard] }\n'), 'lizardman');
  t.is(v.base, 'immoral');
});

test('U07 copies do not merge the copied variant', (t) => {
  const yaml = doc('variants:\n  build: { base: foo-devel, runs: { as: foo } }\n  development: { includes: [build] }\n  blah: { base: foo-test }\n  test: { includes: [blah], copies: [development] }\n');
  const dev = expand(yaml, 'development');
  t.is(dev.base, 'foo-devel');
  t.is(dev.runs.as, 'foo');
  const testVariant = expand(yaml, 'test');
  t.is(testVariant.base, 'foo-test');
  t.is(testVariant.runs.as, 'runuser');
});

test('U08 copies are concatenated in include order', (t) => {
  const v = expand(doc('variants:\n  build: {}\n  foo: { copies: [{ from: build, source: /foo }] }\n  bar: { includes: [foo], copies: [{ from: build, source: /bar }] }\n'), 'bar');
  t.deepEqual(v.copies, [{ from: 'build', source: '/foo' }, { from: 'build', source: '/bar' }]);
});

test('U25 arguments: map merge, later keys win', (t) => {
  const v = expand(doc('arguments: { FOO: foo, BAR: bar }\nvariants:\n  one: { arguments: { BAR: baz } }\n'), 'one');
  t.deepEqual(v.arguments, { FOO: 'foo', BAR: 'baz' });
});

test('O03 uid 0 in a variant is ignored; at the root it applies', (t) => {
  t.is(expand(doc('variants:\n  one: { runs: { uid: 0 } }\n'), 'one').runs.uid, 900);
  t.is(expand(doc('runs: { uid: 0 }\nvariants:\n  one: {}\n'), 'one').runs.uid, 0);
});

test('O04 / §2.2 base: ~ does not clear an inherited base', (t) => {
  t.is(expand(doc('variants:\n  one: { base: ~ }\n'), 'one').base, 'debian:bookworm');
  t.is(expand(doc('variants:\n  one: { base: "" }\n'), 'one').base, 'debian:bookworm');
  t.is(expand('version: v4\nvariants:\n  one: {}\n', 'one').base, undefined);
});

test('§2.2 lives/runs: nested fields keep the defaults', (t) => {
  const v = expand(doc('lives: { in: /x }\nvariants:\n  one: { runs: { as: app } }\n'), 'one');
  t.deepEqual(v.lives, { in: '/x', as: 'somebody', uid: 65533, gid: 65533 });
  t.deepEqual(v.runs, { in: undefined, as: 'app', uid: 900, gid: 900, environment: {}, insecurely: false });
});

test('§2.2 observed three-level merge (apt appended with duplicates, env merged, node requirements replaced, copies deduped, entrypoint inherited)', (t) => {
  const yaml = doc(
    [
      'apt: { packages: [root-pkg] }',
      'runs: { environment: { AA: root, BB: root } }',
      'entrypoint: [root-ep]',
      'variants:',
      '  one:',
      '    base: bullseye',
      '    apt: { packages: [one-pkg] }',
      '    runs: { environment: { BB: one, CC: one } }',
      '    copies: [local]',
      '    node: { requirements: [package.json] }',
      '  two:',
      '    includes: [one]',
      '    apt: { packages: [two-pkg] }',
      '    entrypoint: [two-ep]',
      '    copies: [{ from: local, source: extra.txt, destination: conf/ }]',
      '  three:',
      '    includes: [two]',
      '    apt: { packages: [one-pkg] }',
      '    runs: { environment: { CC: three } }',
      '    node: { requirements: [other.json] }',
      '    copies: [local]',
      '',
    ].join('\n'),
  );
  const v = expand(yaml, 'three');
  t.is(v.base, 'bullseye');
  t.deepEqual(v.includes, ['one', 'two']);
  t.deepEqual(v.apt.packages, { default: ['root-pkg', 'one-pkg', 'two-pkg', 'one-pkg'] });
  t.deepEqual(v.runs.environment, { AA: 'root', BB: 'one', CC: 'three' });
  t.deepEqual(v.node?.requirements, [{ from: 'local', source: 'other.json' }]);
  t.deepEqual(v.copies, [{ from: 'local', source: 'extra.txt', destination: 'conf/' }, { from: 'local' }]);
  t.deepEqual(v.entrypoint, ['two-ep']);
});

test('§2.2 apt map form merges per release; sources and proxies append', (t) => {
  const v = expand(doc('apt: { packages: [curl], proxies: [http://p:1] }\nvariants:\n  one:\n    apt:\n      packages: { bullseye-backports: [npm, nodejs], default: [git] }\n      proxies: [http://q:2]\n'), 'one');
  t.deepEqual(v.apt.packages, { default: ['curl', 'git'], 'bullseye-backports': ['npm', 'nodejs'] });
  t.deepEqual(v.apt.proxies, [{ url: 'http://p:1' }, { url: 'http://q:2' }]);
});

test('§2.2 explicit entrypoint [] clears an inherited one', (t) => {
  t.deepEqual(expand(doc('entrypoint: [a]\nvariants:\n  one: { entrypoint: [] }\n'), 'one').entrypoint, []);
});

test('§2.2 booleans are tri-state: false overrides an inherited true', (t) => {
  const v = expand(doc('node: { use-npm-ci: true, env: production }\nruns: { insecurely: true }\nvariants:\n  one: { node: { use-npm-ci: false }, runs: { insecurely: false } }\n  two: { node: { env: "" } }\n'), 'one');
  t.is(v.node?.['use-npm-ci'], false);
  t.is(v.node?.env, 'production');
  t.false(v.runs.insecurely);
  t.is(expand(doc('node: { env: production }\nvariants:\n  two: { node: { env: "" } }\n'), 'two').node?.env, 'production');
});

test('§2.2 requirements, mounts and caches are replaced, even by []', (t) => {
  const v = expand(doc('builder: { command: [make], requirements: [a, b], caches: [/c] }\nvariants:\n  one: { builder: { requirements: [] } }\n'), 'one');
  t.deepEqual(v.builder, { command: ['make'], requirements: [], caches: [{ destination: '/c' }] });
});

test('§2.2 command inherited + script own = post-merge error at the variant key', (t) => {
  const config = load(doc('builder: { command: [make] }\nvariants:\n  one:\n    builder: { script: "echo hi" }\n'));
  const result = expandVariant(config, 'one');
  t.false(result.ok);
  if (result.ok) return;
  t.deepEqual(brief(result.errors), ['5:3 variants.one: after merging includes, builder has both "command" (from the top level) and "script" (from variant "one")']);
  t.regex(result.errors[0]?.hint ?? '', /builders/);
});

test('§2.2 builders + standalone from different levels = post-merge error naming both origins', (t) => {
  const config = load(doc('variants:\n  base-node:\n    node: { requirements: [package.json] }\n  app:\n    includes: [base-node]\n    builders: [{ custom: { command: [make] } }]\n'));
  const result = expandVariant(config, 'app');
  t.false(result.ok);
  if (result.ok) return;
  t.deepEqual(brief(result.errors), ['6:3 variants.app: after merging includes, "builders" (from variant "app") is not allowed with "node" (from included variant "base-node")']);
  t.true(expandVariant(config, 'base-node').ok);
});

test('§2.2 builders merge: same kinds merge into the later position, custom builders accumulate first', (t) => {
  const merged = mergeBuilders(
    [{ python: { version: 'python3' } }, { custom: { command: ['echo', 'root-custom'] } }, { node: { requirements: [{ from: 'local', source: 'package.json' }] } }],
    [{ node: { env: 'production' } }, { custom: { command: ['echo', 'variant-custom'] } }],
  );
  t.deepEqual(merged, [
    { python: { version: 'python3' } },
    { custom: { command: ['echo', 'root-custom'] } },
    { node: { requirements: [{ from: 'local', source: 'package.json' }], env: 'production' } },
    { custom: { command: ['echo', 'variant-custom'] } },
  ]);
});

test('§2.2 mergeStruct: empty strings and zero do not override, nested poetry merges', (t) => {
  t.deepEqual(mergeStruct({ version: 'python3', poetry: { version: '==1', devel: true } }, { version: '', poetry: { devel: false } }), { version: 'python3', poetry: { version: '==1', devel: false } });
});

test('§2.2 copies merge drops earlier entries equal to later ones', (t) => {
  t.deepEqual(mergeCopies([{ from: 'local' }, { from: 'a', source: '/x' }], [{ from: 'local' }]), [{ from: 'a', source: '/x' }, { from: 'local' }]);
});

test('includes are not merged themselves; root-level defaults apply to every variant', (t) => {
  const v = expand(doc('lives: { as: app-user, uid: 1000 }\nvariants:\n  one: { includes: [two] }\n  two: { lives: { gid: 1001 } }\n'), 'one');
  t.deepEqual(v.lives, { in: '/srv/app', as: 'app-user', uid: 1000, gid: 1001 });
});
