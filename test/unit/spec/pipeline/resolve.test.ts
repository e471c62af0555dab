import test from 'ava';
import {
  Bindings,
  bindExports,
  findStage,
  InterpolationError,
  interpolationIssue,
  publishBindings,
  resolveBlubberfile,
  resolveBuild,
  resolveCopy,
  resolveDeploy,
  resolveNotify,
  resolvePromote,
  resolvePublish,
  resolveRun,
  resolveTrigger,
  setupValues,
  type Pipeline,
} from '../../../../src/spec/pipeline/index.js';
import { load } from './_helpers.js';

const config = load(`pipelines:
  p:
    blubberfile: blubber.yaml
    stages:
      - name: foo
        blubberfile: {version: v4, base: '\${.stage}', variants: {foovariant: {}}}
        build: {variant: '\${.stage}variant', context: '\${.stage}/dir', excludes: ['\${.stage}-x']}
        run: {tail: 10}
        copy: [dist/, {source: a, destination: b, archive: true}]
        publish: {image: true}
        exports: {combined: '\${.imageID}-\${setup.timestamp}', again: '\${.combined}!'}
      - name: bar
        run:
          image: '\${foo.imageID}'
          arguments: ['\${.stage}arg', '\${HOME}']
          env: {FOO: '\${foo.imageID}', ZC: '\${setup.params.ZUUL_CHANGE|none}'}
          credentials: [{id: SONAR, name: SONAR_API_KEY}]
          tail: 10
        deploy:
          chart: {name: foo}
          image: '\${foo.imageName}'
          tag: '\${.stage}-tag'
          timeout: 120
          overrides: {nested: {deep: '\${.stage}'}}
        promote: [{version: '\${foo.imageTag}'}]
        notify: {email: {to: a@example.org}}
        trigger: {name: job, parameters: {P: '\${foo.imageID}'}}
      - name: published
        publish: {image: {id: '\${foo.imageID}'}}
    execution: [[foo, bar, published]]
`);
const pipeline: Pipeline = config.pipelines[0]!;

function run(): Bindings {
  const bindings = Bindings.forPipeline(pipeline);
  const setup = setupValues({ pipeline: 'p', remote: 'https://gerrit.wikimedia.org/r/foo-project', commit: 'abc', startedAt: new Date(0), params: {} });
  for (const [key, value] of Object.entries({ ...setup, timestamp: '0000-00-00-000000' })) bindings.bind('setup', key, value);
  for (const stage of ['foo', 'bar', 'published']) bindings.bind(stage, 'stage', stage);
  bindings.bind('foo', 'imageID', 'foo-image-id');
  bindings.bind('foo', 'container', 'plib-run-abcdefgh');
  return bindings;
}

const stage = (name: string) => findStage(pipeline, name)!;

test('S1 build fields and the inline blubberfile are interpolated', (t) => {
  const ctx = run().of('foo');
  t.deepEqual(resolveBuild(stage('foo').build!, ctx), { variant: 'foovariant', context: 'foo/dir', excludes: ['foo-x'], imagePullPolicy: 'always' });
  t.deepEqual(resolveBlubberfile(pipeline, stage('foo'), ctx), { inline: { version: 'v4', base: 'foo', variants: { foovariant: {} } } });
  t.deepEqual(resolveBlubberfile(pipeline, stage('bar'), run().of('bar')), { file: 'blubber.yaml' });
});

test('S2 copy resolves ${.container}; paths and archive pass through', (t) => {
  t.deepEqual(resolveCopy(stage('foo').copy!, run().of('foo')), [
    { from: 'plib-run-abcdefgh', source: 'dist/', destination: 'dist/', archive: false },
    { from: 'plib-run-abcdefgh', source: 'a', destination: 'b', archive: true },
  ]);
});

test('S3 deploy with test: chart, version "", image from an ancestor, nested overrides, timeout', (t) => {
  const bindings = run();
  bindings.bind('foo', 'imageName', 'foo-project');
  t.deepEqual(resolveDeploy(stage('bar').deploy!, bindings.of('bar')), {
    chart: { name: 'foo', version: '' },
    image: 'foo-project',
    tag: 'bar-tag',
    cluster: 'ci',
    test: true,
    timeout: 120,
    overrides: { nested: { deep: 'bar' } },
  });
});

test('S4 deploy with test: false; overrides {} and timeout null by default', (t) => {
  const p = load("pipelines:\n  p:\n    stages:\n      - {name: a, deploy: {chart: {name: c}, image: i, tag: t, test: false}}\n").pipelines[0]!;
  const bindings = Bindings.forPipeline(p);
  t.like(resolveDeploy(p.stages[0]!.deploy!, bindings.of('a')), { test: false, overrides: {}, timeout: null });
});

test('S5 exports are interpolated and bound in order', (t) => {
  const bindings = run();
  const out = bindExports(stage('foo'), bindings.of('foo'));
  t.deepEqual(out, { combined: 'foo-image-id-0000-00-00-000000', again: 'foo-image-id-0000-00-00-000000!' });
  t.deepEqual(bindings.lookup('foo', 'combined'), { found: true, value: 'foo-image-id-0000-00-00-000000' });
});

test('S5 exporting an already bound name fails with its key path', (t) => {
  const p = load("pipelines:\n  p:\n    stages:\n      - {name: a, build: x, exports: {imageID: '${.imageID}'}}\n");
  const bindings = Bindings.forPipeline(p.pipelines[0]!);
  bindings.bind('a', 'imageID', 'id');
  const error = t.throws(() => bindExports(p.pipelines[0]!.stages[0]!, bindings.of('a')), { instanceOf: InterpolationError });
  t.is(error?.message, "'a' already has a value assigned to 'imageID'");
  t.like(interpolationIssue(p, error!), { line: 4, col: 48, path: 'pipelines.p.stages[0].exports.imageID' });
});

test('S6 publish from an ancestor stage, and what it binds', (t) => {
  const resolved = resolvePublish(stage('published').publish!, run().of('published'));
  t.deepEqual(resolved, { id: 'foo-image-id', name: 'foo-project', tag: '0000-00-00-000000-published', tags: [''] });
  t.deepEqual(publishBindings(resolved), {
    imageName: 'foo-project',
    imageFullName: 'docker-registry.wikimedia.org/wikimedia/foo-project',
    imageTag: '0000-00-00-000000-published',
    imageTags: ['0000-00-00-000000-published'],
    publishedImage: 'docker-registry.wikimedia.org/wikimedia/foo-project:0000-00-00-000000-published',
  });
});

test('S8 promote resolves the defaulted chart and the version', (t) => {
  const bindings = run();
  bindings.bind('foo', 'imageTag', 'v1');
  t.deepEqual(resolvePromote(stage('bar').promote!, bindings.of('bar')), [{ chart: 'foo-project', environments: [], version: 'v1' }]);
});

test('S9 run: image from an ancestor, args, env, credentials, tail', (t) => {
  t.deepEqual(resolveRun(stage('bar').run!, run().of('bar')), {
    image: 'foo-image-id',
    arguments: ['bararg', '${HOME}'],
    env: { FOO: 'foo-image-id', ZC: 'none' },
    credentials: [{ id: 'SONAR', name: 'SONAR_API_KEY' }],
    tail: 10,
  });
});

test('notify and trigger', (t) => {
  const ctx = run().of('bar');
  t.like(resolveNotify(stage('bar').notify!, ctx), { to: ['a@example.org'], subject: '[Pipeline] foo-project p/bar failed' });
  t.deepEqual(resolveTrigger(stage('bar').trigger!, ctx), { name: 'job', parameters: { P: 'foo-image-id' }, propagate: true, wait: false });
});

test('runtime errors carry the key path of the field', (t) => {
  const bindings = Bindings.forPipeline(pipeline);
  bindings.bind('bar', 'stage', 'bar');
  const error = t.throws(() => resolveRun(stage('bar').run!, bindings.of('bar')), { instanceOf: InterpolationError });
  t.is(error?.code, 'name-not-found');
  t.deepEqual(error?.path, ['pipelines', 'p', 'stages', 1, 'run', 'image']);
  t.like(interpolationIssue(config, error!), { line: 14, col: 18, path: 'pipelines.p.stages[1].run.image' });
});

test('a $merge that yields the wrong shape is located', (t) => {
  const p = load("pipelines:\n  p:\n    stages:\n      - {name: a, build: x, run: {arguments: {$merge: 'a', $with: 'b'}}}\n").pipelines[0]!;
  const bindings = Bindings.forPipeline(p);
  bindings.bind('a', 'imageID', 'id');
  const error = t.throws(() => resolveRun(p.stages[0]!.run!, bindings.of('a')), { instanceOf: InterpolationError });
  t.is(error?.code, 'shape');
  t.regex(error?.message ?? '', /run\.arguments must be a list of strings after interpolation, got the string "ab"/);
});
