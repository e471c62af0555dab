import test from 'ava';
import { parse } from 'yaml';
import type { Stage } from '../../../../src/spec/pipeline/index.js';
import { normalizeStage } from '../../../../src/spec/pipeline/normalize.js';
import { stageSchema } from '../../../../src/spec/pipeline/schema.js';
import { load, stagesYaml } from './_helpers.js';

/** Normalizes one stage as written (schema-checked, no cross-stage rules). */
function stage(yaml: string): Stage {
  const raw = (parse(yaml) as unknown[])[0] as Record<string, unknown>;
  return normalizeStage(stageSchema.parse(raw), Object.keys(raw), ['pipelines', 'p', 'stages', 0]);
}

/** A stage's steps without their key paths. */
function steps(s: Stage): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['build', 'run', 'copy', 'publish', 'promote', 'deploy', 'exports', 'notify', 'trigger'] as const) {
    const step = s[key];
    if (!step) continue;
    const { path: _path, ...rest } = step as unknown as Record<string, unknown>;
    out[key] = rest;
  }
  return out;
}

const defaultRun = { image: '${.imageID}', arguments: [], env: {}, credentials: [], tail: 0 };
const defaultBuild = (variant: string) => ({ variant, context: '.', imagePullPolicy: 'always' });

const normalizes = test.macro({
  exec(t, yaml: string, expected: Record<string, unknown>) {
    t.deepEqual(steps(stage(yaml)), expected);
  },
  title: (title) => `normalize: ${title}`,
});

test('C1 name only → build ${.stage} + run', normalizes, '- name: foo', { build: defaultBuild('${.stage}'), run: defaultRun });
test('C2 build {context} gets variant ${.stage}', normalizes, "- name: foo\n  build: {context: '.'}", { build: defaultBuild('${.stage}') });
test('C2 build {variant} gets context and pull policy', normalizes, '- name: foo\n  build: {variant: bar}', { build: defaultBuild('bar') });
test('C2 explicit imagePullPolicy kept', normalizes, '- name: foo\n  build: {variant: bar, imagePullPolicy: never}', {
  build: { variant: 'bar', context: '.', imagePullPolicy: 'never' },
});
test('C3 build string + run true', normalizes, '- name: foo\n  build: bar\n  run: true', { build: defaultBuild('bar'), run: defaultRun });
test(
  'C4 copy shorthand and objects',
  normalizes,
  '- name: foo\n  copy: ["foo/source", {from: bar-container, source: bar/source, archive: true}]',
  {
    copy: {
      items: [
        { from: '${.container}', source: 'foo/source', destination: 'foo/source', archive: false },
        { from: 'bar-container', source: 'bar/source', destination: 'bar/source', archive: true },
      ],
    },
  },
);
test('C5 publish image true', normalizes, '- name: foo\n  publish: {image: true}', {
  publish: { image: { id: '${.imageID}', name: '${setup.project}', tag: '${setup.timestamp}-${.stage}', tags: ['${setup.tag}'] } },
});
test('C5 publish keeps given fields', normalizes, "- name: foo\n  publish: {image: {id: '${x.imageID}', tags: [stable]}}", {
  publish: { image: { id: '${x.imageID}', name: '${setup.project}', tag: '${setup.timestamp}-${.stage}', tags: ['stable'] } },
});
test('C6 promote true', normalizes, '- name: foo\n  promote: true', {
  promote: { items: [{ chart: '${setup.projectShortName}', environments: [], version: '${.imageTag}' }] },
});
test('C6 promote items get defaults', normalizes, '- name: foo\n  promote: [{chart: mathoid}, {environments: [staging], version: v1}]', {
  promote: {
    items: [
      { chart: 'mathoid', environments: [], version: '${.imageTag}' },
      { chart: '${setup.projectShortName}', environments: ['staging'], version: 'v1' },
    ],
  },
});
test('C7 deploy defaults', normalizes, '- name: foo\n  deploy: {chart: {}}', {
  deploy: { chart: { name: '${setup.projectShortName}', version: '' }, image: '${.imageName}', tag: '${.imageTag}', cluster: 'ci', test: true, timeout: null, overrides: {} },
});
test(
  'C7 deploy keeps explicit values',
  normalizes,
  "- name: foo\n  deploy: {chart: {name: c, version: '1.0'}, image: i, tag: t, cluster: ci, test: false, timeout: 60, overrides: {a: {b: 1}}}",
  { deploy: { chart: { name: 'c', version: '1.0' }, image: 'i', tag: 't', cluster: 'ci', test: false, timeout: 60, overrides: { a: { b: 1 } } } },
);
test('C8 notify to string → list, subject and body defaults', normalizes, '- name: foo\n  build: x\n  notify: {email: {to: "foo@an.example"}}', {
  build: defaultBuild('x'),
  notify: {
    email: {
      to: ['foo@an.example'],
      subject: '[Pipeline] ${setup.projectShortName} ${setup.pipeline}/${.stage} failed',
      body: 'Pipeline ${setup.pipeline} of project ${setup.project} failed at stage ${.stage}. See ${setup.logURL} for the build log.',
    },
  },
});
test('name plus anything gets no implicit build/run', normalizes, '- name: candidate\n  exports: {a: b}', { exports: { values: { a: 'b' } } });
test('falsy steps are no steps', normalizes, '- name: foo\n  build: bar\n  run: false\n  copy: []\n  exports: {}\n  publish: {}\n  promote: false', {
  build: defaultBuild('bar'),
});
test('run object defaults', normalizes, "- name: foo\n  run: {image: '${b.imageID}', arguments: [test], tail: 10}", {
  run: { image: '${b.imageID}', arguments: ['test'], env: {}, credentials: [], tail: 10 },
});
test('trigger defaults', normalizes, '- name: foo\n  trigger: {name: job}', { trigger: { name: 'job', parameters: {}, propagate: true, wait: false } });
test('build excludes kept', normalizes, '- name: foo\n  build: {excludes: [node_modules]}', { build: { ...defaultBuild('${.stage}'), excludes: ['node_modules'] } });
test('expressions are kept for later', normalizes, "- name: foo\n  build: bar\n  run: {arguments: {$each: v, $in: 'a b', $delimiter: ' '}}", {
  build: defaultBuild('bar'),
  run: { ...defaultRun, arguments: { $each: 'v', $in: 'a b', $delimiter: ' ' } },
});

test('pipeline notify is deep-merged under the stage notify', (t) => {
  const config = load('pipelines:\n  p:\n    notify: {email: {to: [a@x], subject: S}}\n    stages:\n      - {name: s, build: b, notify: {email: {subject: T}}}\n      - {name: u, build: b}\n');
  const [s, u] = config.pipelines[0]!.stages;
  t.deepEqual(s?.notify?.email.to, ['a@x']);
  t.is(s?.notify?.email.subject, 'T');
  t.is(u?.notify?.email.subject, 'S');
});

test('key paths are kept for stages and steps', (t) => {
  const p = load(stagesYaml('- name: a\n- name: b\n  build: x\n  run: {env: {A: b}}')).pipelines[0]!;
  t.deepEqual(p.stages[1]?.path, ['pipelines', 'p', 'stages', 1]);
  t.deepEqual(p.stages[1]?.run?.path, ['pipelines', 'p', 'stages', 1, 'run']);
  t.deepEqual(p.stages[0]?.build?.path, ['pipelines', 'p', 'stages', 0], 'shorthand steps point at the stage');
  t.true(p.stages[0]?.shorthand);
});

// P1/P2
test('P1 pipeline keeps blubberfile, directory, fetch, execution', (t) => {
  const p = load('pipelines:\n  p:\n    blubberfile: b.yaml\n    directory: src/foo\n    fetch: {depth: 2, tags: true}\n    stages: [{name: a}, {name: b}]\n    execution: [[b, a]]\n').pipelines[0]!;
  t.like(p.blubberfile, { kind: 'file', file: 'b.yaml', defaulted: false });
  t.is(p.directory, 'src/foo');
  t.deepEqual(p.fetch, { shallow: true, depth: 2, submodules: true, tags: true });
  t.deepEqual(p.execution, [['b', 'a']]);
  t.false(p.executionDefaulted);
});

test('P2 pipeline defaults', (t) => {
  const p = load('pipelines:\n  svc:\n    stages: [{name: a}, {name: b}]\n').pipelines[0]!;
  t.like(p.blubberfile, { kind: 'file', file: 'svc/blubber.yaml', defaulted: true });
  t.deepEqual(p.blubberfile.path, ['pipelines', 'svc']);
  t.is(p.directory, '.');
  t.deepEqual(p.fetch, { shallow: true, depth: 20, submodules: true, tags: false });
  t.deepEqual(p.execution, [['a', 'b']]);
  t.true(p.executionDefaulted);
});

test('inline blubberfile objects', (t) => {
  const p = load('pipelines:\n  p:\n    stages:\n      - name: a\n        blubberfile: {version: v4, variants: {a: {}}}\n').pipelines[0]!;
  t.like(p.stages[0]?.blubberfile, { kind: 'inline', config: { version: 'v4', variants: { a: {} } } });
});

test('YAML anchors are resolved (labs-striker)', (t) => {
  const p = load('pipelines:\n  p:\n    stages:\n      - name: a\n        build: x\n        publish: &pub\n          image: {tags: [latest]}\n      - name: b\n        build: z\n        publish: *pub\n').pipelines[0]!;
  t.deepEqual(p.stages[1]?.publish?.image.tags, ['latest']);
});
