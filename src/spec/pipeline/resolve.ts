/**
 * Resolving a step just before it runs: interpolate exactly the fields PipelineLib interpolates
 * (reference §2.6) in the stage's context, then check that what came out has the shape the step
 * needs (a `$merge` can produce anything). Everything not listed stays as normalized:
 * `run.credentials`, `run.tail`, `copy[].archive`, `deploy.test`, `deploy.cluster`,
 * `trigger.name/propagate/wait`. Errors are InterpolationErrors carrying the field's key path.
 */
import { formatKeyPath, type KeyPath } from '../issues.js';
import { describeValue } from '../validate.js';
import { InterpolationError, type StageContext } from './bindings.js';
import { interpolate } from './interpolate.js';
import { isPlainMap } from './normalize.js';
import type { CopyStep, DeployStep, NotifyStep, Pipeline, PromoteStep, PublishStep, RunStep, Stage, TriggerStep, BuildStep } from './types.js';

export interface ResolvedBuild {
  variant: string;
  context: string;
  excludes?: string[];
  imagePullPolicy: string;
}
export interface ResolvedRun {
  image: string;
  arguments: string[];
  env: Record<string, string>;
  credentials: { id: string; name: string }[];
  tail: number;
}
export interface ResolvedCopyItem {
  from: string;
  source: string;
  destination: string;
  archive: boolean;
}
export interface ResolvedPublish {
  id: string;
  name: string;
  tag: string;
  tags: string[];
}
export interface ResolvedPromoteItem {
  chart: string;
  environments: string[];
  version: string;
}
export interface ResolvedDeploy {
  chart: { name: string; version: string };
  image: string;
  tag: string;
  cluster: 'ci';
  test: boolean;
  timeout: number | null;
  overrides: Record<string, unknown>;
}
export interface ResolvedNotify {
  to: string[];
  subject: string;
  body: string;
}
export interface ResolvedTrigger {
  name: string;
  parameters: Record<string, string>;
  propagate: boolean;
  wait: boolean;
}

function shapeError(path: KeyPath, what: string, value: unknown): InterpolationError {
  return new InterpolationError('shape', `${formatKeyPath(path)} must be ${what} after interpolation, got ${describeValue(value)}`, 'check the `$merge`/`$each` expression that produces it', path);
}

/** Interpolates `value` (located at `path`) and attaches the path to any error. */
function at(value: unknown, path: KeyPath, ctx: StageContext): unknown {
  try {
    return interpolate(value, ctx);
  } catch (error) {
    if (error instanceof InterpolationError) throw error.at(path);
    throw error;
  }
}

function str(value: unknown, path: KeyPath, ctx: StageContext): string {
  const out = at(value, path, ctx);
  if (typeof out === 'string') return out;
  if (typeof out === 'number' || typeof out === 'boolean') return String(out);
  throw shapeError(path, 'a string', out);
}

function strList(value: unknown, path: KeyPath, ctx: StageContext): string[] {
  const out = at(value, path, ctx);
  if (!Array.isArray(out)) throw shapeError(path, 'a list of strings', out);
  return out.map((item, i) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    throw shapeError([...path, i], 'a string', item);
  });
}

function map(value: unknown, path: KeyPath, ctx: StageContext): Record<string, unknown> {
  const out = at(value, path, ctx);
  if (!isPlainMap(out)) throw shapeError(path, 'a mapping', out);
  return out;
}

function strMap(value: unknown, path: KeyPath, ctx: StageContext): Record<string, string> {
  const out = map(value, path, ctx);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, typeof v === 'string' ? v : str(v, [...path, k], ctx)]));
}

export function resolveBuild(step: BuildStep, ctx: StageContext): ResolvedBuild {
  const p = step.path;
  const out: ResolvedBuild = {
    variant: str(step.variant, [...p, 'variant'], ctx),
    context: str(step.context, [...p, 'context'], ctx),
    imagePullPolicy: str(step.imagePullPolicy, [...p, 'imagePullPolicy'], ctx),
  };
  if (step.excludes !== undefined) out.excludes = strList(step.excludes, [...p, 'excludes'], ctx);
  return out;
}

export function resolveRun(step: RunStep, ctx: StageContext): ResolvedRun {
  const p = step.path;
  const credentials: unknown[] = Array.isArray(step.credentials) ? step.credentials : [];
  return {
    image: str(step.image, [...p, 'image'], ctx),
    arguments: strList(step.arguments, [...p, 'arguments'], ctx),
    env: strMap(step.env, [...p, 'env'], ctx),
    credentials: credentials.map((c, i) => {
      if (!isPlainMap(c) || typeof c.id !== 'string' || typeof c.name !== 'string') throw shapeError([...p, 'credentials', i], 'a credential {id, name}', c);
      return { id: c.id, name: c.name };
    }),
    tail: step.tail,
  };
}

export function resolveCopy(step: CopyStep, ctx: StageContext): ResolvedCopyItem[] {
  const items = at(step.items, step.path, ctx);
  if (!Array.isArray(items)) throw shapeError(step.path, 'a list', items);
  return items.map((item, i) => {
    const p = [...step.path, i];
    if (!isPlainMap(item) || typeof item.source !== 'string') throw shapeError(p, 'a mapping with a `source`', item);
    const source = item.source;
    return {
      from: typeof item.from === 'string' && item.from !== '' ? item.from : str('${.container}', [...p, 'from'], ctx),
      source,
      destination: typeof item.destination === 'string' && item.destination !== '' ? item.destination : source,
      archive: item.archive === true,
    };
  });
}

export function resolvePublish(step: PublishStep, ctx: StageContext): ResolvedPublish {
  const p = [...step.path, 'image'];
  return {
    id: str(step.image.id, [...p, 'id'], ctx),
    name: str(step.image.name, [...p, 'name'], ctx),
    tag: str(step.image.tag, [...p, 'tag'], ctx),
    tags: strList(step.image.tags, [...p, 'tags'], ctx),
  };
}

export function resolvePromote(step: PromoteStep, ctx: StageContext): ResolvedPromoteItem[] {
  const items = at(step.items, step.path, ctx);
  if (!Array.isArray(items)) throw shapeError(step.path, 'a list', items);
  return items.map((item, i) => {
    const p = [...step.path, i];
    if (!isPlainMap(item)) throw shapeError(p, 'a mapping {chart, environments, version}', item);
    return {
      chart: str(item.chart ?? '', [...p, 'chart'], ctx),
      environments: strList(item.environments ?? [], [...p, 'environments'], ctx),
      version: str(item.version ?? '', [...p, 'version'], ctx),
    };
  });
}

export function resolveDeploy(step: DeployStep, ctx: StageContext): ResolvedDeploy {
  const p = step.path;
  const timeout = at(step.timeout, [...p, 'timeout'], ctx);
  return {
    chart: { name: str(step.chart.name, [...p, 'chart', 'name'], ctx), version: str(step.chart.version, [...p, 'chart', 'version'], ctx) },
    image: str(step.image, [...p, 'image'], ctx),
    tag: str(step.tag, [...p, 'tag'], ctx),
    cluster: step.cluster,
    test: step.test,
    timeout: typeof timeout === 'number' ? timeout : null,
    overrides: map(step.overrides, [...p, 'overrides'], ctx),
  };
}

export function resolveNotify(step: NotifyStep, ctx: StageContext): ResolvedNotify {
  const p = [...step.path, 'email'];
  return {
    to: strList(step.email.to, [...p, 'to'], ctx),
    subject: str(step.email.subject, [...p, 'subject'], ctx),
    body: str(step.email.body, [...p, 'body'], ctx),
  };
}

export function resolveTrigger(step: TriggerStep, ctx: StageContext): ResolvedTrigger {
  return { name: step.name, parameters: strMap(step.parameters, [...step.path, 'parameters'], ctx), propagate: step.propagate, wait: step.wait };
}

/**
 * Runs the `exports` step: interpolates each value in order and binds it under the stage's
 * namespace (write-once, so exporting e.g. `imageID` after a build fails). Returns what was bound.
 */
export function bindExports(stage: Stage, ctx: StageContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!stage.exports) return out;
  for (const [key, value] of Object.entries(stage.exports.values)) {
    const path = [...stage.exports.path, key];
    out[key] = at(value, path, ctx);
    try {
      ctx.bind(key, out[key]);
    } catch (error) {
      if (error instanceof InterpolationError) throw error.at(path);
      throw error;
    }
  }
  return out;
}

/** The Blubber config a stage's build uses: the stage's own `blubberfile` (interpolated) or the pipeline's. */
export function resolveBlubberfile(pipeline: Pipeline, stage: Stage, ctx: StageContext): { file: string } | { inline: Record<string, unknown> } {
  const ref = stage.blubberfile;
  if (!ref) return pipeline.blubberfile.kind === 'file' ? { file: pipeline.blubberfile.file } : { inline: pipeline.blubberfile.config };
  if (ref.kind === 'file') return { file: str(ref.file, ref.path, ctx) };
  return { inline: map(ref.config, ref.path, ctx) };
}
