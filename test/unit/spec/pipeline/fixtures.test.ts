import test from 'ava';
import { formatIssue } from '../../../../src/spec/issues.js';
import { loadPipelineConfig, stageFrames } from '../../../../src/spec/pipeline/index.js';
import { fixture } from './_helpers.js';

// Real corpus files (verbatim) and what devpipe makes of them.
const valid = test.macro({
  exec(t, name: string, frames: Record<string, string[][]>) {
    const result = loadPipelineConfig(fixture(`${name}.config.yaml`), `${name}/.pipeline/config.yaml`);
    if (!result.ok) return t.fail(result.errors.map(formatIssue).join('\n'));
    t.deepEqual(result.warnings, []);
    t.deepEqual(Object.fromEntries(result.value.pipelines.map((p) => [p.name, stageFrames(p)])), frames);
  },
  title: (_t, name) => `fixture ${name} is valid`,
});

test(valid, 'mediawiki-services-citoid', { test: [['test'], ['candidate']], rehearse: [['test'], ['candidate']], publish: [['production']] });
test(valid, 'mediawiki-services-mathoid', { test: [['run-test'], ['candidate']], rehearse: [['test'], ['candidate'], ['rehearsal']], publish: [['production']] });
test(valid, 'ores', { test: [['build'], ['unit-test', 'lint']] });
test(valid, 'mediawiki-services-function-evaluator', { test: [['build-python3-executor', 'build'], ['test-python3-executor', 'test']] });
test(valid, 'mediawiki-services-example-node-api', { test: [['test']], rehearse: [['test'], ['candidate'], ['rehearsal']], publish: [['candidate'], ['production']] });
test(valid, 'mediawiki-services-push-notifications', { test: [['built'], ['test'], ['codehealth_built'], ['coverage']], publish: [['codehealth_built'], ['coverage'], ['publish']] });
test(valid, 'labs-striker', { test: [['test-python'], ['test-node']], publish: [['production']] });
test(valid, 'mediawiki-services-function-orchestrator', { test: [['built'], ['tested']], publish: [['production']] });

const invalid = test.macro({
  exec(t, name: string, expected: string[]) {
    const result = loadPipelineConfig(fixture(`${name}.config.yaml`), 'config.yaml');
    t.false(result.ok);
    if (!result.ok) t.deepEqual(result.errors.map((e) => `${e.line}:${e.col} ${e.path}: ${e.message}`), expected);
  },
  title: (_t, name) => `fixture ${name} is refused`,
});

test(invalid, 'labs-tools-WdTmCollab', ["1:1 : not a PipelineLib config: no top-level `pipelines` key; found `version`, `jobs` (it looks like another CI system's file)"]);
test(invalid, 'mediawiki-services-kartotherian', [
  '8:11 pipelines.kartotherian.stages[1].publish.type: unknown key "type"',
  '9:11 pipelines.kartotherian.stages[1].publish.tags: unknown key "tags"',
  '16:11 pipelines.tilerator.stages[1].publish.type: unknown key "type"',
  '17:11 pipelines.tilerator.stages[1].publish.tags: unknown key "tags"',
]);
test(invalid, 'wvui', [
  '15:11 pipelines.release.stages[0].run.image: run.image defaults to `${.imageID}`, but `imageID` is not bound in stage `release` when run.image is interpolated',
]);

test('liftwing: 16 pipelines, defaulted and explicit blubberfiles, directories', (t) => {
  const result = loadPipelineConfig(fixture('machinelearning-liftwing-inference-services.config.yaml'), 'config.yaml');
  t.true(result.ok);
  if (!result.ok) return;
  t.is(result.value.pipelines.length, 16);
  t.like(result.value.pipelines[0], { name: 'editquality', directory: 'revscoring/editquality', blubberfile: { file: 'editquality/blubber.yaml', defaulted: true } });
});

test('scoping demo (reference §2.3) is valid; frames [a, b] then [c]', (t) => {
  const result = loadPipelineConfig(fixture('scoping-demo.config.yaml'), 'config.yaml');
  t.true(result.ok);
  if (result.ok) t.deepEqual(stageFrames(result.value.pipelines[0]!), [['a', 'b'], ['c']]);
});
