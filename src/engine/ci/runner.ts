/**
 * `devpipe ci`'s runner: one pipeline, frame by frame (reference §3.2–§3.4). The stages of a
 * frame run in parallel; a failed stage lets the rest of its frame finish, then no later frame
 * runs; teardown always runs. Every run is recorded (bindings, step results, image IDs) so that
 * `--rerun` can execute from a stage again with the recorded values of its ancestors.
 */
import { DevpipeError } from '../../errors.js';
import { Bindings, containerReaders, findStage, SETUP, stageFrames, type Pipeline, type PipelineConfig } from '../../spec/pipeline/index.js';
import type { EventBus, PlannedTask } from '../events.js';
import type { CiPorts } from './ports.js';
import type { RerunPlan, RunRecord, RunStatus, StageResult } from './record.js';
import { runStage } from './stage.js';
import { now, taskId, type CiRunOptions, type RunState } from './state.js';
import { teardown, type TeardownReport } from './teardown.js';

export interface PipelineRun {
  config: PipelineConfig;
  pipeline: Pipeline;
  runId: string;
  /** The `setup.*` values (setupValues), or the recorded ones on a rerun. */
  setup: Record<string, unknown>;
  startedAt: Date;
  rerun?: { record: RunRecord; plan: RerunPlan } | undefined;
}

export interface PipelineOutcome {
  record: RunRecord;
  teardown: TeardownReport;
  exitCode: number;
}

/** Exit code of a finished run: 130 interrupted, 2 a stage failed on a bad spec, 1 a stage failed, else 0. */
export function runExitCode(stages: readonly StageResult[]): number {
  if (stages.some((s) => s.status === 'interrupted')) return 130;
  const failed = stages.filter((s) => s.status === 'failed');
  if (failed.some((s) => s.errorKind === 'spec' || s.errorKind === 'usage')) return 2;
  return failed.length > 0 ? 1 : 0;
}

export function runStatus(stages: readonly StageResult[]): RunStatus {
  if (stages.some((s) => s.status === 'interrupted')) return 'interrupted';
  if (stages.some((s) => s.status === 'failed')) return 'failed';
  if (stages.some((s) => s.status === 'incomplete')) return 'incomplete';
  return 'passed';
}

/** The plan: the pipeline, its frames (parallel ones concurrent), its stages. */
export function planTasks(pipeline: Pipeline, frames: readonly string[][], runId: string, prefix = ''): PlannedTask[] {
  const root = `pipeline:${prefix}${pipeline.name}`;
  const tasks: PlannedTask[] = [{ id: root, title: `pipeline ${pipeline.name} (run ${runId})` }];
  frames.forEach((frame, i) => {
    const id = `frame:${prefix}${pipeline.name}:${i + 1}`;
    const title = frame.length > 1 ? `frame ${i + 1}: ${frame.join(' ∥ ')} (parallel)` : `frame ${i + 1}: ${frame[0]}`;
    tasks.push({ id, title, parent: root, concurrent: frame.length > 1 });
    for (const stage of frame) tasks.push({ id: `${prefix}${stage}`, title: stage, parent: id });
  });
  return tasks;
}

function snapshot(bindings: Bindings, pipeline: Pipeline): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const ns of [SETUP, ...pipeline.stages.map((s) => s.name)]) {
    const values = bindings.namespace(ns);
    if (values.size > 0) out[ns] = Object.fromEntries(values);
  }
  return out;
}

/** Binds the recorded values of reused stages; their images must still exist. */
async function reuse(state: RunState, rerun: NonNullable<PipelineRun['rerun']>): Promise<void> {
  for (const stage of rerun.plan.reuse) {
    const values = rerun.record.bindings[stage] ?? {};
    const imageID = values.imageID;
    if (typeof imageID === 'string' && imageID !== '' && !(await state.ports.images.inspect(`sha256:${imageID}`))) {
      throw new DevpipeError('usage', `the image stage \`${stage}\` built in run ${rerun.record.runId} (${imageID.slice(0, 12)}) no longer exists, so its values cannot be reused`, {
        hint: `rerun from that stage (--from ${stage}) or run the whole pipeline again: devpipe ci ${state.pipeline.name}`,
      });
    }
    for (const [key, value] of Object.entries(values)) state.bindings.bind(stage, key, value);
  }
}

async function save(state: RunState): Promise<void> {
  try {
    await state.ports.records.write(state.record);
  } catch (error) {
    state.bus.emit('message', { level: 'warn', text: `could not record the run in ${state.ports.records.location(state.runId)}: ${(error as Error).message}` });
  }
}

function settle(state: RunState, stage: string, status: StageResult['status'], detail: string): StageResult {
  state.bus.emit('task:end', { id: taskId(state, stage), status: status === 'reused' ? 'cached' : 'skipped', durationMs: 0, detail });
  return { stage, status, durationMs: 0, published: [], exports: {}, steps: [] };
}

export async function runPipeline(ports: CiPorts, bus: EventBus, run: PipelineRun, options: CiRunOptions): Promise<PipelineOutcome> {
  const { pipeline, rerun } = run;
  const frames = stageFrames(pipeline);
  const bindings = Bindings.forPipeline(pipeline);
  for (const [key, value] of Object.entries(run.setup)) bindings.bind(SETUP, key, value);
  const record: RunRecord = {
    version: 1,
    runId: run.runId,
    pipeline: pipeline.name,
    configFile: run.config.file,
    mode: options.mode,
    startedAt: run.startedAt.toISOString(),
    status: 'running',
    rerunOf: rerun?.record.runId,
    bindings: {},
    stages: [],
    ownedImages: [...(rerun?.record.ownedImages ?? [])],
    publishedImages: [...(rerun?.record.publishedImages ?? [])],
    containers: [],
    localTags: [...(rerun?.record.localTags ?? [])],
    owner: options.owner,
  };
  const state: RunState = { runId: run.runId, pipeline, config: run.config, bindings, ports, bus, options, record, containerReaders: containerReaders(pipeline), secrets: [] };
  if (rerun) await reuse(state, rerun);
  bus.emit('plan', { tasks: planTasks(pipeline, frames, run.runId, options.taskPrefix) });
  const results = new Map<string, StageResult>();
  let stop: string | undefined;
  let report: TeardownReport | undefined;
  try {
    await save(state);
    for (const frame of frames) {
      if (!stop && options.signal?.aborted) stop = 'interrupted';
      const todo = frame.filter((name) => !stop && (!rerun || rerun.plan.run.has(name)));
      for (const name of frame) {
        if (todo.includes(name)) continue;
        const recorded = rerun?.record.stages.find((s) => s.stage === name);
        if (stop) results.set(name, settle(state, name, 'not-run', `not run: ${stop}`));
        else if (recorded && (recorded.status === 'passed' || recorded.status === 'reused')) {
          results.set(name, { ...settle(state, name, 'reused', `reused from run ${rerun!.record.runId}`), imageId: recorded.imageId, published: recorded.published, exports: recorded.exports });
        } else results.set(name, settle(state, name, 'not-run', 'not run in this rerun'));
      }
      const done = await Promise.all(todo.map((name) => runStage(state, findStage(pipeline, name) ?? { name, path: [], shorthand: false })));
      for (const result of done) results.set(result.stage, result);
      record.stages = pipeline.stages.map((s) => results.get(s.name)).filter((r): r is StageResult => r !== undefined);
      record.bindings = snapshot(bindings, pipeline);
      await save(state);
      const failed = done.filter((r) => r.status === 'failed' || r.status === 'interrupted');
      if (!stop && failed.length > 0) stop = `${failed.map((r) => `\`${r.stage}\``).join(', ')} failed`;
    }
  } finally {
    record.stages = pipeline.stages.map((s) => results.get(s.name) ?? { stage: s.name, status: 'not-run' as const, durationMs: 0, published: [], exports: {}, steps: [] });
    record.status = options.signal?.aborted && runStatus(record.stages) === 'passed' ? 'interrupted' : runStatus(record.stages);
    report = await teardown(state, record.status === 'passed' || record.status === 'incomplete');
    record.bindings = snapshot(bindings, pipeline);
    record.finishedAt = new Date(now(state)).toISOString();
    await save(state);
  }
  const exitCode = record.status === 'interrupted' ? 130 : runExitCode(record.stages);
  return { record, teardown: report, exitCode };
}
