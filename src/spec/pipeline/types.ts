/**
 * The normalized PipelineLib model: what every later stage of devpipe (rules, graph, the runner)
 * sees. Every shorthand of reference §1.4 is expanded and every default of §1.5/§1.6 inserted, but
 * nothing is interpolated yet: string fields still hold their `${…}` templates (defaults included,
 * e.g. `run.image` = `'${.imageID}'`), because PipelineLib interpolates each step just before it
 * runs (interpolate.ts / resolve.ts). Each stage and step keeps its key path so that any later
 * error can be located in the file.
 */
import type { KeyPath } from '../issues.js';
import type { YamlSource } from '../yaml.js';
import type { EachExpression, MergeExpression } from './schema.js';

export type { EachExpression, MergeExpression } from './schema.js';
export type Expression = MergeExpression | EachExpression;

/** A value as written: a literal, or one with `$merge` / `$each` expressions still to evaluate. */
export type Template<T> = T | Expression;

/** The fixed order in which a stage's steps run, whatever the order of the YAML keys. */
export const stepOrder = ['build', 'run', 'copy', 'publish', 'promote', 'deploy', 'exports', 'trigger'] as const;
export type StepKind = (typeof stepOrder)[number];

/** Stage names PipelineLib reserves for its implicit first and last stages. */
export const SETUP = 'setup';
export const TEARDOWN = 'teardown';

export interface Located {
  /** Key path of this object in config.yaml, e.g. `['pipelines', 'test', 'stages', 1, 'run']`. */
  readonly path: KeyPath;
}

export type BlubberfileRef =
  | (Located & { kind: 'file'; file: string; defaulted: boolean })
  | (Located & { kind: 'inline'; config: Record<string, unknown> });

export interface BuildStep extends Located {
  variant: Template<string>;
  context: Template<string>;
  excludes?: Template<string[]>;
  imagePullPolicy: Template<string>;
}

export interface Credential {
  id: Template<string>;
  name: Template<string>;
}

export interface RunStep extends Located {
  image: Template<string>;
  arguments: Template<string[]>;
  env: Template<Record<string, Template<string>>>;
  /** Not interpolated (§2.6). */
  credentials: Template<Template<Credential>[]>;
  /** Not interpolated. */
  tail: number;
}

export interface CopyItem {
  from: Template<string>;
  source: Template<string>;
  destination: Template<string>;
  archive: boolean;
}

export interface CopyStep extends Located {
  /** A literal list has every item defaulted; a `$each`/`$merge` list is taken as it evaluates. */
  items: Template<Template<CopyItem>[]>;
}

export interface PublishImage {
  id: Template<string>;
  name: Template<string>;
  tag: Template<string>;
  tags: Template<Template<string>[]>;
}

export interface PublishStep extends Located {
  image: PublishImage;
}

export interface PromoteItem {
  chart: Template<string>;
  environments: Template<string[]>;
  version: Template<string>;
}

export interface PromoteStep extends Located {
  items: Template<PromoteItem[]>;
}

export interface DeployStep extends Located {
  chart: { name: Template<string>; version: Template<string>; [key: string]: unknown };
  image: Template<string>;
  tag: Template<string>;
  /** Not interpolated; only `ci` exists. */
  cluster: 'ci';
  /** Not interpolated. */
  test: boolean;
  /** Seconds for `helm install --timeout`; null = the runner's default (120). */
  timeout: number | null;
  overrides: Template<Record<string, unknown>>;
}

export interface ExportsStep extends Located {
  /** New name → value template, bound under the stage's namespace in this order. */
  values: Record<string, unknown>;
}

export interface NotifyStep extends Located {
  email: { to: Template<Template<string>[]>; subject: Template<string>; body: Template<string> };
}

export interface TriggerStep extends Located {
  /** Not interpolated. */
  name: string;
  parameters: Record<string, Template<string>>;
  propagate: boolean;
  wait: boolean;
}

export interface Stage extends Located {
  name: string;
  /** True for the `- name: x` shorthand (build variant `${.stage}` and run it). */
  shorthand: boolean;
  blubberfile?: BlubberfileRef;
  build?: BuildStep;
  run?: RunStep;
  copy?: CopyStep;
  publish?: PublishStep;
  promote?: PromoteStep;
  deploy?: DeployStep;
  exports?: ExportsStep;
  /** The stage's notify, with the pipeline's `notify` deep-merged under it. Not a step: sent when the stage fails. */
  notify?: NotifyStep;
  trigger?: TriggerStep;
}

export interface FetchOptions {
  shallow: boolean;
  depth: number;
  submodules: boolean;
  tags: boolean;
}

export interface Pipeline extends Located {
  name: string;
  blubberfile: BlubberfileRef;
  /** Working directory of every stage, relative to the repository root. */
  directory: string;
  fetch: FetchOptions;
  /** Arcs of the execution graph; the default is one arc of every stage in order. */
  execution: string[][];
  executionDefaulted: boolean;
  /** Stages by definition order (names are unique: duplicates are an error). */
  stages: Stage[];
}

export interface PipelineConfig {
  file: string;
  /** In file order. */
  pipelines: Pipeline[];
  /** The parsed file, to locate issues found later (interpolation errors, missing files). */
  source: YamlSource;
}

/** The step objects of a stage in execution order, as `[kind, step]` pairs. */
export function stageSteps(stage: Stage): [StepKind, Located][] {
  const out: [StepKind, Located][] = [];
  for (const kind of stepOrder) {
    const step = stage[kind];
    if (step) out.push([kind, step]);
  }
  return out;
}

export function findPipeline(config: PipelineConfig, name: string): Pipeline | undefined {
  return config.pipelines.find((p) => p.name === name);
}

export function findStage(pipeline: Pipeline, name: string): Stage | undefined {
  return pipeline.stages.find((s) => s.name === name);
}
