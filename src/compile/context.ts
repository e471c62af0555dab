/**
 * State shared while compiling one build: the generated context entries, helper stages waiting
 * to be placed before the stage that needs them, whether BuildKit is needed, the external images
 * referenced, and warnings.
 */
import { createHash } from 'node:crypto';
import type { ContextEntry } from '../ports.js';
import type { SpecIssue } from '../spec/issues.js';
import type { BlubberConfig, ExpandedVariant } from '../spec/blubber/index.js';
import type { Stage } from './instructions.js';

/** Where devpipe puts generated files and filtered views inside the build context. */
export const GENERATED_DIR = '.devpipe-context';

export interface CompileContext {
  config: BlubberConfig;
  /** The variants being built (dependencies and the target), by name. */
  variants: ReadonlyMap<string, ExpandedVariant>;
  /** `--build-arg` overrides. */
  buildArgs: Readonly<Record<string, string>>;
  /** How a builder `script` runs: bind-mounted (BuildKit) or copied then removed (classic). */
  scripts: 'mount' | 'copy';
  entries: ContextEntry[];
  helpers: Stage[];
  images: string[];
  warnings: SpecIssue[];
  buildkit: boolean;
  counter: number;
  /** `views`: local files reach the build through mirrored views; `project`: at the context root. */
  localContext: 'views' | 'project';
}

export function newContext(
  config: BlubberConfig,
  variants: ReadonlyMap<string, ExpandedVariant>,
  buildArgs: Readonly<Record<string, string>>,
  scripts: 'mount' | 'copy',
  localContext: 'views' | 'project' = 'project',
): CompileContext {
  return { config, variants, buildArgs, scripts, entries: [], helpers: [], images: [], warnings: [], buildkit: false, counter: 0, localContext };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Adds a generated file to the context once (same path, same content). */
export function addFile(ctx: CompileContext, path: string, content: string, mode?: number): void {
  if (ctx.entries.some((e) => e.kind === 'file' && e.path === path)) return;
  ctx.entries.push(mode === undefined ? { kind: 'file', path, content } : { kind: 'file', path, content, mode });
}

/** Where a mirrored local source is found in the context sent to the engine. */
export const LOCAL_DIR = `${GENERATED_DIR}/local`;

/**
 * A local (build context) path as the generated Dockerfile reads it. With `localContext: 'views'`
 * (what `devpipe build` uses) every local file reaches the build through a mirrored view under
 * `.devpipe-context/local/`, so the context holds exactly the files the variant uses, and
 * generated entries can never end up in an image through `COPY . …`. With `project` (Blubber's
 * own text, the default) the path is used as written and the project is sent at the context root.
 */
export function localPath(ctx: CompileContext, source: string, cleaned: string): string {
  if (ctx.localContext === 'project') return source;
  if (!ctx.entries.some((e) => e.kind === 'view' && e.mirror && (e.source === cleaned || e.source === '.'))) {
    ctx.entries.push({ kind: 'view', path: LOCAL_DIR, source: cleaned, exclude: [], mirror: true });
  }
  if (cleaned === '.') return `${LOCAL_DIR}/`;
  return `${LOCAL_DIR}/${cleaned}${source.endsWith('/') ? '/' : ''}`;
}

export function noteImage(ctx: CompileContext, image: string): void {
  if (!ctx.images.includes(image)) ctx.images.push(image);
}

/** The directory relative paths of a stage resolve against at its end (runs.in, else lives.in). */
export function finalWorkdir(variant: ExpandedVariant | undefined): string {
  if (!variant || variant.base === undefined) return '/';
  return variant.runs.in ?? variant.lives.in;
}

/** The value of a build variable in a stage: a `--build-arg` override, else the declared default. */
export function argValue(ctx: CompileContext, name: string, fallback: string): string {
  return ctx.buildArgs[name] ?? fallback;
}

/**
 * The variables Blubber expands at compile time in cache destinations and mount paths:
 * arguments, the lives/runs identities, HOME and `runs.environment` (itself expanded in order).
 */
export function buildEnv(ctx: CompileContext, variant: ExpandedVariant): Record<string, string> {
  const vars: Record<string, string> = { HOME: `/home/${variant.lives.as}` };
  for (const [name, value] of Object.entries(variant.arguments)) vars[name] = argValue(ctx, name, value);
  const ids: Record<string, string | number> = {
    LIVES_AS: variant.lives.as,
    LIVES_UID: variant.lives.uid,
    LIVES_GID: variant.lives.gid,
    RUNS_AS: variant.runs.as,
    RUNS_UID: variant.runs.uid,
    RUNS_GID: variant.runs.gid,
  };
  for (const [name, value] of Object.entries(ids)) vars[name] = argValue(ctx, name, String(value));
  for (const name of Object.keys(variant.runs.environment).sort()) {
    vars[name] = expandVars(variant.runs.environment[name] ?? '', vars);
  }
  return vars;
}

/** `$NAME` / `${NAME}` substitution; unknown names are left as written (the shell may know them). */
export function expandVars(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    return Object.hasOwn(vars, name) ? (vars[name] ?? '') : match;
  });
}
