/**
 * Normalization: a schema-valid raw pipeline → the defaulted model of types.ts, exactly as
 * PipelineLib's `defaultConfig` does it (reference §1.4–§1.6). Defaults are inserted before any
 * interpolation, so default templates such as `${setup.timestamp}-${.stage}` follow the same
 * rules as user-written ones.
 *
 * PipelineLib defaults with Groovy's `?:`, so an empty string, list or mapping counts as "not
 * set", and a step runs only if its value is truthy: `run: false`, `copy: []`, `exports: {}` and
 * `publish: {}` are no steps at all.
 */
import type { KeyPath } from '../issues.js';
import type { RawDeploy, RawNotify, RawPipeline, RawStage } from './schema.js';
import type {
  BlubberfileRef,
  BuildStep,
  CopyItem,
  CopyStep,
  DeployStep,
  Expression,
  FetchOptions,
  NotifyStep,
  Pipeline,
  PromoteItem,
  PromoteStep,
  PublishStep,
  RunStep,
  Stage,
  Template,
  TriggerStep,
} from './types.js';

/** Groovy truth: null, false, 0, '' and empty lists and mappings are false. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Date) return true;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Groovy's `a ?: b`. */
function or<T>(value: T | undefined | null, fallback: T): T {
  return truthy(value) ? (value as T) : fallback;
}

export function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function isExpression(value: unknown): value is Expression {
  return isPlainMap(value) && ('$each' in value || '$merge' in value);
}

/** Maps merged recursively, everything else (lists included) replaced; `over` wins. */
export function deepMerge(under: unknown, over: unknown): unknown {
  if (isPlainMap(under) && isPlainMap(over)) {
    const out: Record<string, unknown> = { ...under };
    for (const [key, value] of Object.entries(over)) out[key] = key in out ? deepMerge(out[key], value) : value;
    return out;
  }
  return over === undefined ? under : over;
}

export const defaults = {
  variant: '${.stage}',
  context: '.',
  imagePullPolicy: 'always',
  runImage: '${.imageID}',
  copyFrom: '${.container}',
  publishId: '${.imageID}',
  publishName: '${setup.project}',
  publishTag: '${setup.timestamp}-${.stage}',
  publishTags: ['${setup.tag}'],
  promoteChart: '${setup.projectShortName}',
  promoteVersion: '${.imageTag}',
  deployImage: '${.imageName}',
  deployTag: '${.imageTag}',
  chartName: '${setup.projectShortName}',
  notifySubject: '[Pipeline] ${setup.projectShortName} ${setup.pipeline}/${.stage} failed',
  notifyBody:
    'Pipeline ${setup.pipeline} of project ${setup.project} failed at stage ${.stage}. See ${setup.logURL} for the build log.',
  fetch: { shallow: true, depth: 20, submodules: true, tags: false } satisfies FetchOptions,
} as const;

function blubberfileRef(value: unknown, path: KeyPath): BlubberfileRef | undefined {
  if (typeof value === 'string' && value !== '') return { kind: 'file', file: value, defaulted: false, path };
  if (isPlainMap(value) && truthy(value)) return { kind: 'inline', config: value, path };
  return undefined;
}

function buildStep(raw: RawStage['build'], path: KeyPath): BuildStep | undefined {
  if (!truthy(raw) || raw === undefined) return undefined;
  if (typeof raw === 'string') return { path, variant: raw, context: defaults.context, imagePullPolicy: defaults.imagePullPolicy };
  const step: BuildStep = {
    path,
    variant: or<Template<string>>(raw.variant, defaults.variant),
    context: or<Template<string>>(raw.context, defaults.context),
    imagePullPolicy: or<Template<string>>(raw.imagePullPolicy, defaults.imagePullPolicy),
  };
  if (truthy(raw.excludes) && raw.excludes !== undefined) step.excludes = raw.excludes as Template<string[]>;
  return step;
}

function runStep(raw: RawStage['run'], path: KeyPath): RunStep | undefined {
  if (!truthy(raw) || raw === undefined) return undefined;
  const run = raw === true ? {} : (raw as Exclude<typeof raw, boolean>);
  return {
    path,
    image: or<Template<string>>(run.image, defaults.runImage),
    arguments: or<Template<string[]>>(run.arguments as Template<string[]> | undefined, []),
    env: or<RunStep['env']>(run.env as RunStep['env'] | undefined, {}),
    credentials: or<RunStep['credentials']>(run.credentials as RunStep['credentials'] | undefined, []),
    tail: run.tail ?? 0,
  };
}

function copyItem(item: unknown): Template<CopyItem> {
  if (typeof item === 'string') return { from: defaults.copyFrom, source: item, destination: item, archive: false };
  if (isExpression(item)) return item;
  const raw = item as { from?: Template<string>; source: Template<string>; destination?: Template<string>; archive?: boolean };
  return {
    from: or<Template<string>>(raw.from, defaults.copyFrom),
    source: raw.source,
    destination: or<Template<string>>(raw.destination, raw.source),
    archive: raw.archive ?? false,
  };
}

function copyStep(raw: RawStage['copy'], path: KeyPath): CopyStep | undefined {
  if (!truthy(raw) || raw === undefined) return undefined;
  if (!Array.isArray(raw)) return { path, items: raw as Expression };
  return { path, items: raw.map(copyItem) };
}

function publishStep(raw: RawStage['publish'], path: KeyPath): PublishStep | undefined {
  if (!raw || !truthy(raw.image)) return undefined;
  const image = raw.image === true ? {} : (raw.image as Exclude<typeof raw.image, boolean | undefined>);
  return {
    path,
    image: {
      id: or<Template<string>>(image.id, defaults.publishId),
      name: or<Template<string>>(image.name, defaults.publishName),
      tag: or<Template<string>>(image.tag, defaults.publishTag),
      tags: or<Template<Template<string>[]>>(image.tags as Template<Template<string>[]> | undefined, [...defaults.publishTags]),
    },
  };
}

function promoteItem(raw: { chart?: Template<string>; environments?: unknown; version?: Template<string> }): PromoteItem {
  return {
    chart: or<Template<string>>(raw.chart, defaults.promoteChart),
    environments: or<Template<string[]>>(raw.environments as Template<string[]> | undefined, []),
    version: or<Template<string>>(raw.version, defaults.promoteVersion),
  };
}

function promoteStep(raw: RawStage['promote'], path: KeyPath): PromoteStep | undefined {
  if (!truthy(raw) || raw === undefined) return undefined;
  if (raw === true) return { path, items: [promoteItem({})] };
  if (Array.isArray(raw)) return { path, items: raw.map(promoteItem) };
  return { path, items: raw as Expression };
}

function deployStep(raw: RawDeploy | undefined, path: KeyPath): DeployStep | undefined {
  if (!raw) return undefined;
  return {
    path,
    chart: { ...raw.chart, name: or<Template<string>>(raw.chart.name, defaults.chartName), version: or<Template<string>>(raw.chart.version, '') },
    image: or<Template<string>>(raw.image, defaults.deployImage),
    tag: or<Template<string>>(raw.tag, defaults.deployTag),
    cluster: 'ci',
    test: raw.test ?? true,
    timeout: raw.timeout ?? null,
    overrides: or<Template<Record<string, unknown>>>(raw.overrides, {}),
  };
}

function notifyStep(pipelineNotify: RawNotify | undefined, stageNotify: RawNotify | undefined, path: KeyPath): NotifyStep | undefined {
  const merged = deepMerge(pipelineNotify ?? {}, stageNotify ?? {}) as RawNotify;
  const email = merged.email;
  if (!email || !truthy(email)) return undefined;
  const to = email.to;
  return {
    path,
    email: {
      to: typeof to === 'string' ? [to] : or<Template<Template<string>[]>>(to as Template<Template<string>[]> | undefined, []),
      subject: or<Template<string>>(email.subject, defaults.notifySubject),
      body: or<Template<string>>(email.body, defaults.notifyBody),
    },
  };
}

function triggerStep(raw: RawStage['trigger'], path: KeyPath): TriggerStep | undefined {
  if (!raw) return undefined;
  return { path, name: raw.name, parameters: raw.parameters ?? {}, propagate: raw.propagate ?? true, wait: raw.wait ?? false };
}

/** One stage; `rawKeys` are the keys as written (the shorthand is "exactly one key: name"). */
export function normalizeStage(raw: RawStage, rawKeys: readonly string[], path: KeyPath, pipelineNotify?: RawNotify): Stage {
  const shorthand = rawKeys.length === 1 && truthy(raw.name);
  const at = (key: string): KeyPath => [...path, key];
  const stage: Stage = { path, name: raw.name, shorthand };
  const blubberfile = blubberfileRef(raw.blubberfile, at('blubberfile'));
  if (blubberfile) stage.blubberfile = blubberfile;
  const source = shorthand ? { build: defaults.variant, run: true as const } : raw;
  const steps = {
    build: buildStep(source.build, shorthand ? path : at('build')),
    run: runStep(source.run, shorthand ? path : at('run')),
    copy: copyStep(raw.copy, at('copy')),
    publish: publishStep(raw.publish, at('publish')),
    promote: promoteStep(raw.promote, at('promote')),
    deploy: deployStep(raw.deploy, at('deploy')),
    exports: truthy(raw.exports) && raw.exports ? { path: at('exports'), values: raw.exports } : undefined,
    notify: notifyStep(pipelineNotify, raw.notify, raw.notify ? at('notify') : path),
    trigger: triggerStep(raw.trigger, at('trigger')),
  };
  for (const [key, step] of Object.entries(steps)) if (step) Object.assign(stage, { [key]: step });
  return stage;
}

/** One pipeline. `rawStages` are the stage mappings as written, for their key lists. */
export function normalizePipeline(name: string, raw: RawPipeline, rawStages: readonly unknown[]): Pipeline {
  const path: KeyPath = ['pipelines', name];
  const stages = raw.stages.map((stage, i) =>
    normalizeStage(stage, isPlainMap(rawStages[i]) ? Object.keys(rawStages[i]) : [], [...path, 'stages', i], raw.notify),
  );
  const blubberfile = blubberfileRef(raw.blubberfile, [...path, 'blubberfile']) ?? {
    kind: 'file' as const,
    file: `${name}/blubber.yaml`,
    defaulted: true,
    path,
  };
  const executionDefaulted = !truthy(raw.execution);
  return {
    path,
    name,
    blubberfile,
    directory: or(raw.directory, '.'),
    fetch: { ...defaults.fetch, ...raw.fetch },
    execution: executionDefaulted ? [stages.map((s) => s.name)] : (raw.execution ?? []),
    executionDefaulted,
    stages,
  };
}
