/**
 * `devpipe ci` for a `.gitlab-ci.yml`: the planned jobs in stage/needs order, one at a time
 * (kokkuri.md §2.9). A failed job skips later `on_success` jobs that wait on it; `always` jobs
 * run anyway; manual jobs run only when asked (`--run`); jobs devpipe cannot run (external
 * templates, images not present) leave the run INCOMPLETE, never passed. Every job is recorded
 * under `.devpipe/runs/` (with the pipeline context and dotenv values, for `--rerun`), and
 * teardown — shared with the PipelineLib runner — always runs.
 */
import { DevpipeError } from '../../errors.js';
import type { PlannedJob } from '../../spec/gitlab/index.js';
import type { PlannedTask } from '../events.js';
import type { RunRecord, StageResult } from '../ci/index.js';
import { formatIssue, SpecError } from '../../spec/issues.js';
import { redact, teardown, type TeardownReport } from '../ci/index.js';
import { jobEnvironment } from './env.js';
import { kokkuriJob, type JobOutput } from './job-kokkuri.js';
import { scriptJob } from './job-script.js';
import { requireBaseImages } from './preflight.js';
import { blockedBy, executionOrder, type Outcome } from './order.js';
import { now, taskOf, type GitlabPorts, type GitlabRun, type GitlabRunOptions, type GitlabState } from './state.js';

export interface GitlabOutcome {
  record: RunRecord;
  teardown: TeardownReport;
  exitCode: number;
}

export const PIPELINE_KEY = 'gitlab:pipeline';

export function planTasks(order: readonly PlannedJob[], runId: string): PlannedTask[] {
  const root = `gitlab:${runId}`;
  const tasks: PlannedTask[] = [{ id: root, title: `GitLab CI pipeline (run ${runId})` }];
  for (const job of order) {
    const stage = `stage:${job.stage}`;
    if (!tasks.some((t) => t.id === stage)) tasks.push({ id: stage, title: `stage ${job.stage}`, parent: root });
    tasks.push({ id: taskOf(job.name), title: job.name, parent: stage });
  }
  return tasks;
}

/** `KEY=VALUE` lines (a report's format); the last of a repeated key wins. */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  }
  return out;
}

function exitCodeOf(record: RunRecord): number {
  if (record.status === 'interrupted') return 130;
  const failed = record.stages.filter((s) => s.status === 'failed' && s.errorKind !== 'allowed-failure');
  if (failed.some((s) => s.errorKind === 'spec' || s.errorKind === 'usage')) return 2;
  return failed.length > 0 ? 1 : 0;
}

function statusOf(results: readonly StageResult[], aborted: boolean): RunRecord['status'] {
  if (aborted || results.some((s) => s.status === 'interrupted')) return 'interrupted';
  if (results.some((s) => s.status === 'failed' && s.errorKind !== 'allowed-failure')) return 'failed';
  if (results.some((s) => s.status === 'incomplete')) return 'incomplete';
  return 'passed';
}

async function save(state: GitlabState): Promise<void> {
  try {
    await state.ports.records.write(state.record);
  } catch (error) {
    state.bus.emit('message', { level: 'warn', text: `could not record the run: ${(error as Error).message}` });
  }
}

async function execute(state: GitlabState, job: PlannedJob, all: readonly PlannedJob[]): Promise<{ output?: JobOutput; reason?: string }> {
  const env = await jobEnvironment(state, job, all);
  if (env.missing.length > 0) state.bus.emit('task:log', { id: taskOf(job.name), line: `variables used but defined nowhere (GitLab CI/CD settings?), left empty: ${env.missing.join(', ')}; give fakes with DEVPIPE_SECRET_<NAME> or --var NAME=...` });
  if (env.secretNames.length > 0) state.bus.emit('task:log', { id: taskOf(job.name), line: `fake secrets from the stack: ${env.secretNames.join(', ')}` });
  if (job.kind === 'kokkuri') return { output: await kokkuriJob(state, job, env) };
  if (job.kind === 'external') return { reason: `not runnable locally: ${job.notes[0] ?? 'its script comes from an include devpipe cannot read'}` };
  const outcome = await scriptJob(state, job, env);
  if (!outcome.ran) return { reason: `not runnable locally: ${outcome.reason}` };
  for (const file of job.job.artifacts.reports.dotenv ?? []) {
    if (file.startsWith('/') || file.split('/').includes('..')) {
      state.bus.emit('task:log', { id: taskOf(job.name), line: `dotenv report ${file} is outside the checkout: ignored` });
      continue;
    }
    const text = await state.ports.files.read(file);
    if (text !== undefined) Object.assign(outcome.output.exports, parseDotenv(text));
  }
  return { output: outcome.output };
}

export async function runGitlabPipeline(ports: GitlabPorts, bus: GitlabState['bus'], run: GitlabRun, options: GitlabRunOptions): Promise<GitlabOutcome> {
  const order = executionOrder(run.plan.jobs);
  const { rerun } = run;
  const record: RunRecord = {
    version: 1,
    runId: run.runId,
    pipeline: 'gitlab-ci',
    configFile: run.configFile,
    mode: `${run.pipeline.source} ${run.pipeline.tag ?? run.pipeline.branch ?? ''}${run.pipeline.protected ? ' (protected)' : ''}`.trim(),
    startedAt: run.pipeline.startedAt.toISOString(),
    status: 'running',
    rerunOf: rerun?.record.runId,
    bindings: { [PIPELINE_KEY]: { ...run.pipeline, startedAt: run.pipeline.startedAt.toISOString(), cliVariables: run.cliVariables } },
    stages: [],
    ownedImages: [...(rerun?.record.ownedImages ?? [])],
    publishedImages: [...(rerun?.record.publishedImages ?? [])],
    containers: [],
    localTags: [],
  };
  const state: GitlabState = { runId: run.runId, ports, bus, options, record, secrets: [], dotenv: new Map() };
  // A base image that is neither here nor pullable: said before any job runs.
  await requireBaseImages(state, order.filter((job) => (!rerun || rerun.run.has(job.name)) && (job.when !== 'manual' || run.runManual.has(job.name))));
  bus.emit('plan', { tasks: planTasks(order, run.runId) });
  const outcomes = new Map<string, Outcome>();
  const results = new Map<string, StageResult>();
  // Only a manual job's reason is "what CI would have done"; a skipped job is skipped in CI too.
  const settle = (job: PlannedJob, status: StageResult['status'], detail: string, taskStatus: 'skipped' | 'cached' = 'skipped'): void => {
    bus.emit('task:end', { id: taskOf(job.name), status: taskStatus, durationMs: 0, detail });
    const steps = job.when === 'manual' && status === 'not-run' ? [{ step: 'manual', status: 'not-run-locally' as const, detail }] : [];
    results.set(job.name, { stage: job.name, status, durationMs: 0, published: [], exports: {}, steps });
  };
  let report: TeardownReport | undefined;
  try {
    await save(state);
    for (const job of order) {
      const recorded = rerun?.record.stages.find((s) => s.stage === job.name);
      if (rerun && !rerun.run.has(job.name)) {
        if (recorded && (recorded.status === 'passed' || recorded.status === 'reused')) {
          state.dotenv.set(job.name, (rerun.record.bindings[job.name] ?? {}) as Record<string, string>);
          settle(job, 'reused', `reused from run ${rerun.record.runId}`, 'cached');
          results.set(job.name, { ...recorded, status: 'reused', steps: [] });
          outcomes.set(job.name, 'passed');
        } else {
          settle(job, 'not-run', 'not run in this rerun');
          outcomes.set(job.name, 'not-run');
        }
        continue;
      }
      if (options.signal?.aborted) {
        settle(job, 'not-run', 'not run: interrupted');
        continue;
      }
      const blocked = blockedBy(job, order, outcomes);
      if (blocked) {
        settle(job, 'not-run', blocked);
        outcomes.set(job.name, 'skipped');
        continue;
      }
      if (job.when === 'manual' && !run.runManual.has(job.name)) {
        settle(job, 'not-run', `manual job: not started (run it with --run '${job.name}')`);
        outcomes.set(job.name, 'not-run');
        continue;
      }
      const started = now(state);
      const id = taskOf(job.name);
      bus.emit('task:start', { id, title: job.name });
      const result: StageResult = { stage: job.name, status: 'passed', durationMs: 0, published: [], exports: {}, steps: [] };
      try {
        const done = await execute(state, job, order);
        if (done.output) {
          result.imageId = done.output.imageId;
          result.published = done.output.published;
          result.exports = done.output.exports;
          result.steps = done.output.steps;
          state.dotenv.set(job.name, done.output.exports);
          outcomes.set(job.name, 'passed');
        } else {
          result.status = 'incomplete';
          result.steps = [{ step: 'job', status: 'not-run-locally', detail: done.reason }];
          outcomes.set(job.name, 'incomplete');
        }
      } catch (error) {
        const { text, kind } = describeErrorText(error);
        result.status = kind === 'interrupted' || options.signal?.aborted ? 'interrupted' : 'failed';
        result.error = redact(text, state.secrets);
        result.errorKind = job.allowFailure && result.status === 'failed' ? 'allowed-failure' : kind;
        outcomes.set(job.name, job.allowFailure ? 'allowed-failure' : 'failed');
        bus.emit('task:log', { id, line: `error: ${result.error.split('\n')[0]}` });
      }
      result.durationMs = now(state) - started;
      const cached = result.status === 'passed' && result.steps.some((s) => s.cached === true);
      if (cached) result.cached = true;
      const detail = cached ? 'passed before with the same inputs: not run again' : result.status === 'incomplete' ? result.steps[0]?.detail : result.status === 'failed' ? `${result.error?.split('\n')[0]}${job.allowFailure ? ' (allowed to fail)' : ''}` : undefined;
      bus.emit('task:end', { id, status: cached ? 'cached' : result.status === 'passed' ? 'ok' : result.status === 'incomplete' ? 'skipped' : 'failed', durationMs: result.durationMs, detail });
      results.set(job.name, result);
      record.stages = order.map((j) => results.get(j.name)).filter((r): r is StageResult => r !== undefined);
      for (const [name, values] of state.dotenv) record.bindings[name] = values;
      await save(state);
    }
  } finally {
    record.stages = order.map((j) => results.get(j.name) ?? { stage: j.name, status: 'not-run' as const, durationMs: 0, published: [], exports: {}, steps: [] });
    record.status = statusOf(record.stages, options.signal?.aborted === true);
    report = await teardown({ runId: run.runId, record, options: { keep: options.keep }, ports: { containers: ports.containers, images: ports.images, kube: undefined } }, record.status === 'passed' || record.status === 'incomplete');
    for (const [name, values] of state.dotenv) record.bindings[name] = values;
    record.finishedAt = new Date(now(state)).toISOString();
    await save(state);
  }
  return { record, teardown: report, exitCode: exitCodeOf(record) };
}

function describeErrorText(error: unknown): { text: string; kind: string } {
  if (error instanceof SpecError) return { text: error.issues.map(formatIssue).join('\n'), kind: 'spec' };
  if (error instanceof DevpipeError) {
    const details = error.details.length > 0 ? `\n${error.details.join('\n')}` : '';
    return { text: `${error.message}${details}${error.hint ? `\nhint: ${error.hint}` : ''}`, kind: error.kind };
  }
  return { text: error instanceof Error ? error.message : String(error), kind: 'internal' };
}
