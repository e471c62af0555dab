import test from 'ava';
import { allowedActions, checkMode, isMode, type Mode } from '../../../../src/spec/pipeline/index.js';
import { fixture, load } from './_helpers.js';

test('allowed actions per mode (reference §3.6)', (t) => {
  t.deepEqual([...allowedActions('test')].sort(), ['build', 'copy', 'exports', 'notify', 'run']);
  for (const mode of ['gate', 'postmerge'] as Mode[]) {
    t.deepEqual([...allowedActions(mode)].sort(), ['build', 'copy', 'deploy', 'exports', 'notify', 'promote', 'publish', 'run', 'trigger']);
  }
  t.true(isMode('gate'));
  t.false(isMode('post'));
});

// P5: one error per disallowed action, CI's wording, located at the action's key.
const refuses = test.macro({
  exec(t, mode: Mode, yaml: string, expected: string[]) {
    const issues = checkMode(load(yaml), mode);
    t.deepEqual(issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`), expected);
    for (const issue of issues) t.truthy(issue.hint);
  },
  title: (title, mode) => `P5 ${mode}: ${title}`,
});

const citoid = fixture('mediawiki-services-citoid.config.yaml');
test('citoid: rehearse and publish refused in test mode', refuses, 'test', citoid, [
  '15:9 pipelines.rehearse.stages[1].publish: stage `candidate` contains an action (`publish`) that is not allowed by this pipeline in test mode',
  '23:9 pipelines.publish.stages[0].publish: stage `production` contains an action (`publish`) that is not allowed by this pipeline in test mode',
  '26:9 pipelines.publish.stages[0].promote: stage `production` contains an action (`promote`) that is not allowed by this pipeline in test mode',
]);
test('citoid: everything allowed in postmerge mode', refuses, 'postmerge', citoid, []);
test('a stage-level blubberfile is refused in every mode', refuses, 'gate', 'pipelines:\n  p:\n    stages:\n      - {name: a, blubberfile: x.yaml, build: a}\n', [
  '4:19 pipelines.p.stages[0].blubberfile: stage `a` contains an action (`blubberfile`) that is not allowed by this pipeline in gate mode',
]);
test('deploy and trigger refused in test mode', refuses, 'test', "pipelines:\n  p:\n    stages:\n      - {name: a, deploy: {chart: {}, image: i, tag: t}, trigger: {name: j}}\n", [
  '4:19 pipelines.p.stages[0].deploy: stage `a` contains an action (`deploy`) that is not allowed by this pipeline in test mode',
  '4:58 pipelines.p.stages[0].trigger: stage `a` contains an action (`trigger`) that is not allowed by this pipeline in test mode',
]);

test('only the selected pipelines are checked', (t) => {
  t.deepEqual(checkMode(load(citoid), 'test', ['test']), []);
});
