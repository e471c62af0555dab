/** Loading and compiling a project's Blubber file for `render`, `build` and the stack commands. */
import path from 'node:path';
import { parse } from 'yaml';
import { compileVariant, type CompiledBuild } from '../../compile/index.js';
import { DevpipeError } from '../../errors.js';
import { loadBlubber, type BlubberConfig } from '../../spec/blubber/index.js';
import { SpecError, type SpecIssue } from '../../spec/issues.js';
import { ignoredCopies, ignoredCopiesError } from '../ignored-copies.js';
import { assertInside } from './local-paths.js';
import { readSpecFile, reportWarnings } from './spec-files.js';
import type { EventBus } from '../events.js';
import type { Workspace } from './workspace.js';

export const defaultBlubberFile = '.pipeline/blubber.yaml';
const PIPELINE_CONFIG = '.pipeline/config.yaml';

/**
 * The Blubber files `.pipeline/config.yaml` names (`blubberfile` of pipelines and stages), as
 * paths relative to the project, in order of first use; run-time paths (`${…}`) are skipped.
 */
export function pipelineBlubberFiles(configText: string): string[] {
  let raw: unknown;
  try {
    raw = parse(configText, { version: '1.1', maxAliasCount: 100 });
  } catch {
    return [];
  }
  const files: string[] = [];
  const add = (value: unknown) => {
    if (typeof value !== 'string' || value.includes('${')) return;
    const file = path.posix.normalize(path.posix.join('.pipeline', value));
    if (!files.includes(file)) files.push(file);
  };
  const pipelines = (raw as { pipelines?: unknown } | null)?.pipelines;
  if (!pipelines || typeof pipelines !== 'object') return files;
  for (const pipeline of Object.values(pipelines as Record<string, unknown>)) {
    if (!pipeline || typeof pipeline !== 'object') continue;
    const p = pipeline as { blubberfile?: unknown; stages?: unknown };
    add(p.blubberfile);
    if (Array.isArray(p.stages)) for (const stage of p.stages) add((stage as { build?: { blubberfile?: unknown } } | null)?.build?.blubberfile);
  }
  return files;
}

/** The devpipe.yaml that names a Blubber file (printed where the default does not fit). */
export function stackFileFor(blubber: string, service: string, variant = 'production'): string {
  return [`version: v1`, `services:`, `  ${service}:`, `    build: {variant: ${variant}, blubber: ${blubber}}`, `    ports: [8080]`].join('\n');
}

/**
 * Which Blubber file to read: the one asked for; for the default (`.pipeline/blubber.yaml`) when
 * it does not exist, the one `.pipeline/config.yaml` names (as CI builds it), when it names one.
 */
export async function resolveBlubberFile(ws: Workspace, file: string | undefined): Promise<string> {
  const asked = file ?? defaultBlubberFile;
  if (path.posix.normalize(asked) !== defaultBlubberFile) return asked;
  if ((await ws.reader.kind(defaultBlubberFile)) === 'file') return asked;
  const config = await ws.reader.read(PIPELINE_CONFIG).catch(() => undefined);
  if (config === undefined) return asked;
  const named = (await Promise.all(pipelineBlubberFiles(config).map(async (f) => ((await ws.reader.kind(f)) === 'file' ? f : undefined)))).filter((f): f is string => f !== undefined);
  if (named.length === 1) {
    ws.bus.emit('message', { level: 'info', text: `no ${defaultBlubberFile}: using ${named[0]}, the blubberfile of ${PIPELINE_CONFIG}` });
    return named[0]!;
  }
  if (named.length > 1) {
    throw new DevpipeError('usage', `no ${defaultBlubberFile} (the default), and ${PIPELINE_CONFIG} names ${named.length} Blubber files: ${named.join(', ')}`, {
      hint: `pass --blubber FILE, or say which one in .pipeline/devpipe.yaml:\n${stackFileFor(named[0]!, path.basename(ws.reader.root).toLowerCase().replace(/[^a-z0-9_-]+/g, '-'))}`,
    });
  }
  return asked;
}

export interface ProjectBlubber {
  config: BlubberConfig;
  display: string;
  /** The project-relative file read. */
  file: string;
  /** Base image aliases from the user's settings (`images:`). */
  images: Record<string, string>;
}

export async function loadProjectBlubber(ws: Workspace, file: string | undefined): Promise<ProjectBlubber> {
  const chosen = await resolveBlubberFile(ws, file);
  {
    const verdict = await ws.reader.contains(chosen);
    if (!verdict.inside) {
      throw new DevpipeError('spec', `the Blubber file "${chosen}" resolves outside the project (${verdict.via ? `through the symlink to ${verdict.via}` : verdict.resolved})`, {
        hint: 'a build reads only the project directory: name a Blubber file inside it (services.<name>.build.blubber in .pipeline/devpipe.yaml, or --blubber)',
      });
    }
  }
  const spec = await readSpecFile(
    ws,
    chosen,
    'Blubber file',
    `devpipe reads ${defaultBlubberFile} in the project directory (${ws.reader.root}) by default, else the blubberfile ${PIPELINE_CONFIG} names; pass --blubber FILE or -C DIR`,
  );
  const loaded = loadBlubber(spec.text, spec.display);
  if (!loaded.ok) throw new SpecError([...loaded.errors]);
  reportWarnings(ws.bus, loaded.warnings);
  // No build reads outside the project: every local source resolves inside it, symlinks included.
  await assertInside(ws.reader, loaded.value);
  const settings = await ws.settings();
  return { config: loaded.value, display: spec.display, file: chosen, images: settings.images };
}

/** Compiles every variant first (all errors at once), so nothing is built when one is wrong. */
export function compileAll(bus: EventBus, config: BlubberConfig, variants: readonly string[], buildArgs: Record<string, string>, images: Readonly<Record<string, string>> = {}): CompiledBuild[] {
  const errors: SpecIssue[] = [];
  const compiled: CompiledBuild[] = [];
  const warnings: SpecIssue[] = [];
  for (const variant of variants) {
    const result = compileVariant(config, variant, { buildArgs, localContext: 'views', images });
    if (result.ok) {
      compiled.push(result.value);
      warnings.push(...result.value.warnings);
    } else errors.push(...result.errors);
  }
  if (errors.length > 0) throw new SpecError(errors);
  const seen = new Set<string>();
  reportWarnings(
    bus,
    warnings.filter((w) => {
      const key = `${w.line}:${w.col}:${w.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    }),
  );
  return compiled;
}

/** Refuses (exit 2) a .dockerignore that excludes what a variant copies, naming its line and pattern. */
export async function checkIgnoredCopies(ws: Workspace, compiled: readonly CompiledBuild[]): Promise<void> {
  const text = await ws.reader.read('.dockerignore').catch(() => undefined);
  if (text === undefined) return;
  const found = ignoredCopies(compiled, text, (patterns) => ws.ignoreMatcher(patterns));
  if (found.length > 0) throw ignoredCopiesError(found, ws.display(path.join(ws.reader.root, '.dockerignore')));
}
