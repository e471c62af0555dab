import test from 'ava';
import { effectiveDestination, normalizedDestination, normalizedSource, planStages } from '../../../../src/spec/blubber/index.js';
import { brief, doc, load } from './support.js';

function stageNames(yaml: string, variant: string): string[] {
  const result = planStages(load(yaml), variant);
  if (!result.ok) throw new Error(brief(result.errors).join('\n'));
  return result.value.map((v) => v.name);
}

test('U26 multi-level copies give one stage per level', (t) => {
  t.deepEqual(stageNames(doc('variants:\n  one: { copies: [local] }\n  two: { copies: [one] }\n  three: { copies: [two] }\n'), 'three'), ['one', 'two', 'three']);
});

test('U27 two copies from the same variant: one stage', (t) => {
  t.deepEqual(stageNames(doc('variants:\n  build: {}\n  prod: { copies: [{ from: build, source: /a }, { from: build, source: /b }] }\n'), 'prod'), ['build', 'prod']);
});

test('O02 copies first (depth first), then builder requirements', (t) => {
  const yaml = doc('variants:\n  ccc: {}\n  bbb: { copies: [ccc] }\n  aaa: {}\n  final:\n    copies: [bbb, aaa]\n    builder: { requirements: [{ from: aaa, source: /x }] }\n');
  t.deepEqual(stageNames(yaml, 'final'), ['ccc', 'bbb', 'aaa', 'final']);
});

test('T289880 copies inherited through includes count', (t) => {
  t.deepEqual(stageNames(doc('variants:\n  one: {}\n  two: { copies: [one] }\n  three: { includes: [two] }\n'), 'three'), ['one', 'three']);
});

test('mount and requirement references are dependencies; images and local are not', (t) => {
  const yaml = doc('variants:\n  tools: {}\n  deps: {}\n  app:\n    builder: { mounts: [tools, local, "golang:1.21"], requirements: [{ from: deps, source: /d }] }\n    copies: [{ from: local }, { from: "debian:bookworm", source: /etc/hosts }]\n');
  t.deepEqual(stageNames(yaml, 'app'), ['deps', 'tools', 'app']);
});

test('a variant named local is never a dependency (from: local is the context)', (t) => {
  t.deepEqual(stageNames(doc('variants:\n  local: {}\n  app: { copies: [local] }\n'), 'app'), ['app']);
});

test('O15 copies cycle is an error located at the variant', (t) => {
  const result = planStages(load(doc('variants:\n  hello: { copies: [world] }\n  world: { copies: [hello] }\n')), 'hello');
  t.false(result.ok);
  if (result.ok) return;
  t.deepEqual(brief(result.errors), ['5:3 variants.world: processing copies for variant "hello": copies form a cycle: hello → world → hello']);
});

test('self copy is a cycle', (t) => {
  const result = planStages(load(doc('variants:\n  hello: { copies: [hello] }\n')), 'hello');
  t.false(result.ok);
});

test('errors of a dependency surface when building the dependent', (t) => {
  const result = planStages(load(doc('variants:\n  build: { builder: { script: x }, includes: [base] }\n  base: { builder: { command: [make] } }\n  prod: { copies: [build] }\n')), 'prod');
  t.false(result.ok);
  if (!result.ok) t.regex(result.errors[0]?.message ?? '', /builder has both "command"/);
});

const u22: [string, string | undefined, string][] = [
  ['foo/bar', 'foo2/bar2', 'foo2/bar2'],
  ['foo/bar/', 'foo2/bar2', 'foo2/bar2/'],
  ['foo/bar', 'foo2/bar2/', 'foo2/bar2/bar'],
  ['foo/bar', '.', 'bar'],
  ['foo/bar', '/', '/bar'],
  ['/', 'foo', 'foo/'],
  ['/', '/', '/'],
];
for (const [source, destination, expected] of u22) {
  test(`U22 effective destination ${source} → ${destination}`, (t) => {
    t.is(effectiveDestination({ from: 'local', source, destination }), expected);
  });
}

test('§3.5 requirement normalization (source, destination)', (t) => {
  const cases: [string, string, string][] = [
    ['./package.json', 'package.json', './'],
    ['src', 'src', './'],
    ['lib/', 'lib/', 'lib/'],
    ['./a/b/c.txt', 'a/b/c.txt', 'a/b/'],
    ['docs/./x/', 'docs/x/', 'docs/./x/'],
    ['.', './', '.'],
  ];
  for (const [source, wantSource, wantDestination] of cases) {
    t.is(normalizedSource({ from: 'local', source }), wantSource, source);
    t.is(normalizedDestination({ from: 'local', source }), wantDestination, source);
  }
});
