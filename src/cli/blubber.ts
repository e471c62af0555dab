/** Loading and compiling a project's Blubber file for `render` and `build`. */
import { compileVariant, type CompiledBuild } from '../compile/index.js';
import { loadBlubber, type BlubberConfig } from '../spec/blubber/index.js';
import { SpecError, type SpecIssue } from '../spec/issues.js';
import type { Context } from './context.js';
import { displayPath, readSpecFile, reportWarnings } from './spec-files.js';

export const defaultBlubberFile = '.pipeline/blubber.yaml';

export async function loadProjectBlubber(ctx: Context, file: string | undefined): Promise<{ config: BlubberConfig; display: string }> {
  if (file !== undefined) {
    const { containment } = await import('../fs/containment.js');
    const verdict = await containment(ctx.projectDir, file);
    if (!verdict.inside) {
      const { DevpipeError } = await import('../errors.js');
      throw new DevpipeError('spec', `the Blubber file "${file}" resolves outside the project (${verdict.via ? `through the symlink to ${verdict.via}` : verdict.resolved})`, {
        hint: 'a build reads only the project directory: name a Blubber file inside it (services.<name>.build.blubber in .pipeline/devpipe.yaml, or --blubber)',
      });
    }
  }
  const spec = await readSpecFile(
    ctx,
    file ?? defaultBlubberFile,
    'Blubber file',
    `devpipe reads ${defaultBlubberFile} in the project directory (${ctx.projectDir}); pass --blubber FILE or -C DIR`,
  );
  const loaded = loadBlubber(spec.text, spec.display);
  if (!loaded.ok) throw new SpecError([...loaded.errors]);
  reportWarnings(ctx, loaded.warnings);
  // No build reads outside the project: every local source resolves inside it, symlinks included.
  const { assertInside } = await import('./local-paths.js');
  await assertInside(ctx.projectDir, loaded.value);
  return { config: loaded.value, display: spec.display };
}

/** Compiles every variant first (all errors at once), so nothing is built when one is wrong. */
export function compileAll(ctx: Context, config: BlubberConfig, variants: readonly string[], buildArgs: Record<string, string>): CompiledBuild[] {
  const errors: SpecIssue[] = [];
  const compiled: CompiledBuild[] = [];
  const warnings: SpecIssue[] = [];
  for (const variant of variants) {
    const result = compileVariant(config, variant, { buildArgs, localContext: 'views' });
    if (result.ok) {
      compiled.push(result.value);
      warnings.push(...result.value.warnings);
    } else errors.push(...result.errors);
  }
  if (errors.length > 0) throw new SpecError(errors);
  const seen = new Set<string>();
  reportWarnings(
    ctx,
    warnings.filter((w) => {
      const key = `${w.line}:${w.col}:${w.message}`;
      return seen.has(key) ? false : (seen.add(key), true);
    }),
  );
  return compiled;
}

/** Refuses (exit 2) a .dockerignore that excludes what a variant copies, naming its line and pattern. */
export async function checkIgnoredCopies(ctx: Context, compiled: readonly CompiledBuild[]): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const file = path.join(ctx.projectDir, '.dockerignore');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const [{ ignoredCopies, ignoredCopiesError }, { ignoreMatcher }] = await Promise.all([import('../engine/ignored-copies.js'), import('../docker/context.js')]);
  const found = ignoredCopies(compiled, text, ignoreMatcher);
  if (found.length > 0) throw ignoredCopiesError(found, displayPath(file));
}
