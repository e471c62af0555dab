/** The state one pipeline run shares between its stages, steps and teardown. */
import type { EventBus } from '../events.js';
import type { Bindings, Pipeline, PipelineConfig } from '../../spec/pipeline/index.js';
import type { CiPorts } from './ports.js';
import type { RunRecord } from './record.js';
import { LABEL_MANAGED_BY, LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_PIPELINE, LABEL_PROJECT, LABEL_RUN, LABEL_STAGE, MANAGED_BY } from '../labels.js';

export interface CiRunOptions {
  /** Absolute path of the repository root (where `.pipeline/` is). */
  projectDir: string;
  /** `devpipe.project` label value. */
  project: string;
  /** Source revision recorded on built images (`<commit>[+dirty]` or `none`). */
  revision: string;
  mode: string;
  /** Pull base images on `imagePullPolicy: always` (off by default: never fail offline). */
  pull?: boolean;
  /** Build every image from scratch and run every run step (no recorded passes). */
  noCache?: boolean;
  /** Push published tags to this registry (`host[:port][/path]`); off unless configured. */
  registry?: string | undefined;
  /** No teardown: keep containers and images for inspection. */
  keep?: boolean;
  signal?: AbortSignal | undefined;
  /** Task ids are `<prefix><stage>` (a prefix when several pipelines run). */
  taskPrefix?: string;
  /** Hard limit of a run step (PipelineLib: 20 minutes). */
  runTimeoutMs?: number;
  random?: () => number;
  now?: () => number;
  /** Base image aliases (user settings `images:`): a base is replaced by its local stand-in. */
  images?: Readonly<Record<string, string>> | undefined;
  /** The process running the pipeline: labelled on its containers, recorded (see sweep.ts). */
  owner?: { pid: number; host: string } | undefined;
}

export interface RunState {
  runId: string;
  pipeline: Pipeline;
  config: PipelineConfig;
  bindings: Bindings;
  ports: CiPorts;
  bus: EventBus;
  options: CiRunOptions;
  record: RunRecord;
  /** Stages whose run container a template reads (their run step always runs). */
  containerReaders: ReadonlySet<string>;
  /** Secret values used so far, redacted from output. */
  secrets: string[];
}

export function taskId(state: RunState, stage: string): string {
  return `${state.options.taskPrefix ?? ''}${stage}`;
}

/** Labels on everything a stage creates. */
export function stageLabels(state: RunState, stage: string): Record<string, string> {
  return {
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_PROJECT]: state.options.project,
    [LABEL_RUN]: state.runId,
    [LABEL_PIPELINE]: state.pipeline.name,
    [LABEL_STAGE]: stage,
    ...(state.options.owner ? { [LABEL_OWNER_PID]: String(state.options.owner.pid), [LABEL_OWNER_HOST]: state.options.owner.host } : {}),
  };
}

export function now(state: RunState): number {
  return (state.options.now ?? Date.now)();
}

/** `sha256:<hex>` for an ID bound without the prefix (PipelineLib prefixes it the same way). */
export function imageRef(id: string): string {
  return id.startsWith('sha256:') ? id : `sha256:${id}`;
}
