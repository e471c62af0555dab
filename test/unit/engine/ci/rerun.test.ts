import test from 'ava';
import { planRerun, rerunCommand, type RunRecord } from '../../../../src/engine/ci/index.js';
import { summaryText } from '../../../../src/ui/ci-summary.js';
import { DevpipeError } from '../../../../src/errors.js';
import { findPipeline, loadPipelineConfig } from '../../../../src/spec/pipeline/index.js';
import { diamond, runYaml, world } from './harness.js';

const yaml = diamond;
const loaded = loadPipelineConfig(yaml, '.pipeline/config.yaml');
if (!loaded.ok) throw new Error('fixture');
const pipeline = findPipeline(loaded.value, 'p')!;

function record(statuses: Record<string, string>): RunRecord {
  return {
    version: 1,
    runId: 'r1',
    pipeline: 'p',
    configFile: '.pipeline/config.yaml',
    mode: 'test',
    startedAt: '',
    status: 'failed',
    bindings: {},
    stages: Object.entries(statuses).map(([stage, status]) => ({ stage, status: status as never, durationMs: 0, published: [], exports: {}, steps: [] })),
    ownedImages: [],
    publishedImages: [],
    containers: [],
    localTags: [],
  };
}

const failedTest = record({ build: 'passed', test: 'failed', lint: 'passed', candidate: 'not-run' });

const plans = test.macro((t, from: string | undefined, statuses: RunRecord, run: string[], reuse: string[]) => {
  const plan = planRerun(pipeline, statuses, from);
  t.deepEqual([...plan.run].sort(), [...run].sort());
  t.deepEqual([...plan.reuse].sort(), [...reuse].sort());
});

test('--from test: the stage and its descendants, reusing build', plans, 'test', failedTest, ['test', 'candidate'], ['build']);
test('no --from: every stage that did not pass', plans, undefined, failedTest, ['test', 'candidate'], ['build']);
test('--from build: everything after it', plans, 'build', failedTest, ['build', 'test', 'lint', 'candidate'], []);
test('--from a stage whose ancestor did not pass is refused', (t) => {
  const error = t.throws(() => planRerun(pipeline, record({ build: 'failed', test: 'not-run', lint: 'not-run', candidate: 'not-run' }), 'test'), { instanceOf: DevpipeError });
  t.regex(error.message, /stage `test` needs the values of `build`, which ended "failed" in run r1/);
  t.regex(error.hint ?? '', /--from build/);
  t.is(error.exitCode, 2);
});
test('--from an unknown stage is a usage error listing the stages', (t) => {
  const error = t.throws(() => planRerun(pipeline, failedTest, 'tset'), { instanceOf: DevpipeError });
  t.regex(error.message, /has no stage `tset`/);
  t.regex(error.hint ?? '', /build, test, lint, candidate/);
});
test('a run where everything passed has nothing to rerun without --from', (t) => {
  const error = t.throws(() => planRerun(pipeline, record({ build: 'passed', test: 'passed', lint: 'passed', candidate: 'passed' })), { instanceOf: DevpipeError });
  t.regex(error.message, /nothing to rerun/);
});

test('rerunCommand names the failed stage, or the run when several failed', (t) => {
  t.is(rerunCommand(failedTest), 'devpipe ci --rerun r1 --from test');
  t.is(rerunCommand(record({ build: 'passed', test: 'failed', lint: 'failed' }), 'devpipe -C x'), 'devpipe -C x ci --rerun r1');
  t.is(rerunCommand(record({ build: 'passed' })), undefined);
});

test('a rerun reuses the recorded bindings of ancestors and runs only the planned stages', async (t) => {
  const w = world();
  w.behaviours.test = { exitCode: 1 };
  const first = await runYaml(w, yaml, { runId: 'r1' });
  t.is(first.exitCode, 1);
  t.true(summaryText(first.record, first.teardown).includes('rerun the failed stage: devpipe ci --rerun r1 --from test'));
  w.behaviours.test = { exitCode: 0 };
  w.calls.length = 0;
  const plan = planRerun(pipeline, first.record, 'test');
  const second = await runYaml(w, yaml, { runId: 'r2', rerun: { record: first.record, plan } });
  t.is(second.exitCode, 0);
  t.deepEqual(w.calls.filter((c) => c.startsWith('run ')), ['run test', 'run candidate']);
  t.is(second.record.rerunOf, 'r1');
  t.is(second.record.bindings.build?.imageID, first.record.bindings.build?.imageID);
  t.deepEqual(second.record.stages.map((s) => s.status), ['reused', 'passed', 'reused', 'passed']);
  t.deepEqual(second.record.bindings.setup, first.record.bindings.setup, 'same setup: same timestamp, same tags');
  t.is(second.teardown.imagesRemoved, 0);
  t.is(second.teardown.imagesCached.length, 4, 'a passing rerun keeps the images of the run it reran as cache too');
});

test('a rerun whose reused image is gone says so before running anything', async (t) => {
  const w = world();
  w.behaviours.test = { exitCode: 1 };
  const first = await runYaml(w, yaml, { runId: 'r1' });
  w.images.delete(`sha256:${first.record.bindings.build?.imageID as string}`);
  w.calls.length = 0;
  const error = await t.throwsAsync(runYaml(w, yaml, { runId: 'r2', rerun: { record: first.record, plan: planRerun(pipeline, first.record, 'test') } }), { instanceOf: DevpipeError });
  t.regex(error!.message, /the image stage `build` built in run r1 \([0-9a-f]{12}\) no longer exists/);
  t.regex(error!.hint ?? '', /--from build/);
  t.is(w.calls.length, 0);
});
