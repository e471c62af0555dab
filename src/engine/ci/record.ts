/**
 * What a run records under `.devpipe/runs/<run-id>/run.json`, and the pure planning of a rerun:
 * which stages run again and which recorded bindings they reuse.
 */
import { DevpipeError } from '../../errors.js';
import { pipelineGraph, SETUP, TEARDOWN, type Pipeline } from '../../spec/pipeline/index.js';

export type StageStatus = 'passed' | 'failed' | 'incomplete' | 'interrupted' | 'not-run' | 'reused';
/** `aborted`: the devpipe process died mid-run (found and swept by the next ci/down). */
export type RunStatus = 'running' | 'passed' | 'failed' | 'incomplete' | 'interrupted' | 'aborted';

/** One step's outcome; `local-stand-in` = done differently from CI; `not-run-locally` = not done. */
export interface StepOutcome {
  step: string;
  status: 'ok' | 'failed' | 'not-run-locally' | 'local-stand-in';
  detail?: string | undefined;
  /** Answered from a recorded pass with the same inputs (passed-runs.ts): nothing ran. */
  cached?: boolean | undefined;
}

export interface StageResult {
  stage: string;
  status: StageStatus;
  durationMs: number;
  /** Hex, no `sha256:`. */
  imageId?: string | undefined;
  /** Local `name:tag` refs (and pushed refs when a registry was configured). */
  published: string[];
  exports: Record<string, unknown>;
  steps: StepOutcome[];
  error?: string | undefined;
  /** Its run step was answered from a recorded pass with the same inputs (nothing ran). */
  cached?: boolean | undefined;
  /** `spec` when the stage failed on a bad spec (exit 2), `failure` otherwise. */
  errorKind?: string | undefined;
}

export interface RunRecord {
  version: 1;
  runId: string;
  pipeline: string;
  configFile: string;
  mode: string;
  startedAt: string;
  finishedAt?: string | undefined;
  status: RunStatus;
  rerunOf?: string | undefined;
  /** Every namespace's bindings (setup included), as bound. */
  bindings: Record<string, Record<string, unknown>>;
  stages: StageResult[];
  /** Images created by this run or the runs it reuses, removed by a successful teardown. */
  ownedImages: string[];
  /** Image IDs that received published tags (they stay). */
  publishedImages: string[];
  /** Containers and tags teardown removes. */
  containers: string[];
  localTags: string[];
  /** Helm releases installed by `deploy` steps (uninstalled by teardown). */
  releases?: string[] | undefined;
  /** The devpipe process running it (its liveness decides whether leftovers are swept). */
  owner?: { pid: number; host: string } | undefined;
}

export interface RerunPlan {
  /** Stages to execute again. */
  run: Set<string>;
  /** Stages whose recorded bindings are reused. */
  reuse: Set<string>;
}

/**
 * The stages a rerun executes: `from` and every stage after it in the graph; without `from`, every
 * stage that did not pass. Each executed stage's ancestors must have passed in the recorded run
 * (their bindings are reused) or be executed again.
 */
export function planRerun(pipeline: Pipeline, record: RunRecord, from?: string): RerunPlan {
  const graph = pipelineGraph(pipeline);
  const stages = pipeline.stages.map((s) => s.name);
  const recorded = new Map(record.stages.map((s) => [s.stage, s.status]));
  const passed = (name: string) => recorded.get(name) === 'passed' || recorded.get(name) === 'reused';
  let run: Set<string>;
  if (from !== undefined) {
    if (!stages.includes(from)) {
      throw new DevpipeError('usage', `--from ${from}: pipeline \`${pipeline.name}\` has no stage \`${from}\``, { hint: `its stages: ${stages.join(', ')}` });
    }
    run = new Set([from, ...stages.filter((s) => graph.ancestorsOf(s).has(from))]);
  } else {
    run = new Set(stages.filter((s) => !passed(s)));
    if (run.size === 0) {
      throw new DevpipeError('usage', `every stage of run ${record.runId} passed; there is nothing to rerun`, { hint: `name a stage to run again: --from ${stages[0] ?? 'STAGE'}` });
    }
  }
  const reuse = new Set<string>();
  for (const stage of run) {
    for (const ancestor of graph.ancestorsOf(stage)) {
      if (ancestor === SETUP || ancestor === TEARDOWN || run.has(ancestor)) continue;
      if (!passed(ancestor)) {
        throw new DevpipeError('usage', `stage \`${stage}\` needs the values of \`${ancestor}\`, which ${recorded.has(ancestor) ? `ended "${recorded.get(ancestor)}"` : 'did not run'} in run ${record.runId}`, {
          hint: `rerun from an earlier stage: --from ${ancestor}`,
        });
      }
      reuse.add(ancestor);
    }
  }
  return { run, reuse };
}

/** `devpipe ci --rerun <id> [--from <stage>]` for the stages that failed, or undefined. */
export function rerunCommand(record: RunRecord, prefix = 'devpipe'): string | undefined {
  const bad = record.stages.filter((s) => s.status === 'failed' || s.status === 'interrupted');
  if (bad.length === 0) return undefined;
  const name = bad[0]?.stage ?? '';
  const from = bad.length === 1 ? ` --from ${/^[A-Za-z0-9_./-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`}` : '';
  return `${prefix} ci --rerun ${record.runId}${from}`;
}
