import test from 'ava';
import { PASSED_RUNS_FILE, PassedRuns, runKey } from '../../../../src/engine/ci/passed-runs.js';
import { summaryText } from '../../../../src/ui/ci-summary.js';
import { runYaml, world } from './harness.js';

/** The recorded passes over an in-memory project file. */
function memory(): { passed: PassedRuns; files: Record<string, string>; writes: number } {
  const state = { files: {} as Record<string, string>, writes: 0, passed: undefined as unknown as PassedRuns };
  state.passed = new PassedRuns({
    read: async (p) => state.files[p],
    write: async (p, content) => {
      state.writes++;
      state.files[p] = content;
      return p;
    },
  });
  return state;
}

const unit = `pipelines:
  p:
    blubberfile: blubber.yaml
    stages:
      - name: unit
        build: test
        run:
          image: '\${.imageID}'
          arguments: [npm, test]
          env: {LEVEL: '\${setup.params.LEVEL|1}'}
          credentials: [{id: token, name: TOKEN}]
          tail: 1
        exports:
          said: '\${.output}'
`;

const runs = (calls: readonly string[]) => calls.filter((c) => c.startsWith('run '));

test('a run step that passed is answered from the record on the next run with the same inputs: nothing runs, output is the same', async (t) => {
  const w = world();
  w.secrets.token = 'tok-value-1';
  w.behaviours.test = { lines: ['ok 12 tests'] };
  const cache = memory();
  const first = await runYaml(w, unit, { passed: cache.passed, runId: 'run-1' });
  t.is(first.exitCode, 0);
  t.is(runs(w.calls).length, 1);
  const second = await runYaml(w, unit, { passed: new PassedRuns({ read: async (p) => cache.files[p], write: async (p) => p }), runId: 'run-2' });
  t.is(second.exitCode, 0);
  t.is(runs(w.calls).length, 1, 'the second run started no container');
  const stage = second.record.stages[0]!;
  t.true(stage.cached);
  t.is(stage.status, 'passed');
  t.deepEqual(stage.exports, { said: 'ok 12 tests\n' });
  t.regex(stage.steps.find((s) => s.step === 'run')?.detail ?? '', /cached: passed in run run-1 .*same image [0-9a-f]{12}, command and environment/);
  t.true(second.events.some((e) => e.type === 'task:end' && e.id === 'unit' && e.status === 'cached'));
  const summary = summaryText(second.record, second.teardown);
  t.regex(summary, /unit\s+passed \(cached\)/);
  t.regex(summary, /devpipe ci --no-cache runs everything/);
  t.false(cache.files[PASSED_RUNS_FILE]!.includes('tok-value-1'), 'a credential value never reaches the file');
});

test('a changed credential value, env value or image runs the step again', async (t) => {
  const w = world();
  w.secrets.token = 'tok-value-1';
  const cache = memory();
  await runYaml(w, unit, { passed: cache.passed });
  await runYaml(w, unit, { passed: cache.passed });
  t.is(runs(w.calls).length, 1);
  w.secrets.token = 'tok-value-2';
  await runYaml(w, unit, { passed: cache.passed });
  t.is(runs(w.calls).length, 2, 'new credential value');
  await runYaml(w, unit.replace("LEVEL|1", 'LEVEL|2'), { passed: cache.passed });
  t.is(runs(w.calls).length, 3, 'new env value');
  // A different image ID (a rebuild) is a different step.
  await runYaml(w, unit.replace('build: test', 'build: lint'), { passed: cache.passed });
  t.is(runs(w.calls).length, 4, 'new image');
  t.not(runKey({ kind: 'pipelinelib', image: 'a', command: ['x'], env: {} }), runKey({ kind: 'gitlab', image: 'a', command: ['x'], env: {} }));
  t.not(runKey({ kind: 'pipelinelib', image: 'a', command: ['x y'], env: {} }), runKey({ kind: 'pipelinelib', image: 'a', command: ['x', 'y'], env: {} }));
});

test('a failed run step is never recorded: the failure is reproduced every time', async (t) => {
  const w = world();
  w.secrets.token = 't0k';
  w.behaviours.test = { exitCode: 1, lines: ['1 failing'] };
  const cache = memory();
  t.is((await runYaml(w, unit, { passed: cache.passed })).exitCode, 1);
  t.is((await runYaml(w, unit, { passed: cache.passed })).exitCode, 1);
  t.is(runs(w.calls).length, 2);
  t.is(cache.writes, 0);
});

test('--no-cache runs it; a stage whose container is read (copy, ${stage.container}) always runs', async (t) => {
  const w = world();
  w.secrets.token = 't0k';
  const cache = memory();
  await runYaml(w, unit, { passed: cache.passed });
  await runYaml(w, unit, { passed: cache.passed, noCache: true });
  t.is(runs(w.calls).length, 2, '--no-cache');
  const copies = `pipelines:
  p:
    blubberfile: blubber.yaml
    stages:
      - name: make
        build: test
        run: true
        copy: [dist/]
      - name: probe
        build: probe
        run: true
      - name: read
        build: lint
        run: true
        exports:
          where: '\${probe.container}'
`;
  await runYaml(w, copies, { passed: cache.passed });
  await runYaml(w, copies, { passed: cache.passed });
  const ran = runs(w.calls).slice(2);
  t.is(ran.filter((c) => c.startsWith('run test')).length, 2, 'copy reads its container');
  t.is(ran.filter((c) => c.startsWith('run probe')).length, 2, 'another stage reads its container');
  t.is(ran.filter((c) => c.startsWith('run lint')).length, 1, 'nobody reads it: cached');
});

test('output that holds a secret value is not recorded', async (t) => {
  const w = world();
  w.secrets.token = 'leaky-value';
  w.behaviours.test = { lines: ['token is leaky-value'] };
  const cache = memory();
  await runYaml(w, unit, { passed: cache.passed });
  await runYaml(w, unit, { passed: cache.passed });
  t.is(runs(w.calls).length, 2);
  t.is(cache.files[PASSED_RUNS_FILE], undefined);
});

test('a damaged cache file is an empty cache; entries are bounded', async (t) => {
  const files: Record<string, string> = { [PASSED_RUNS_FILE]: '{not json' };
  const passed = new PassedRuns({ read: async (p) => files[p], write: async (p, c) => ((files[p] = c), p) });
  t.is(await passed.get('x'), undefined);
  for (let i = 0; i < 520; i++) await passed.put(`k${i}`, { runId: 'r', stage: 's', passedAt: new Date(0).toISOString(), durationMs: 1, output: '' }, []);
  const kept = Object.keys((JSON.parse(files[PASSED_RUNS_FILE]!) as { passed: Record<string, unknown> }).passed);
  t.is(kept.length, 500);
  t.is(kept[0], 'k20', 'the oldest go first');
  t.truthy(await passed.get('k519'));
});
