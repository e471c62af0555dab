/**
 * A `.dockerignore` that excludes what a variant copies (issue 15, item 10): found before the
 * build, named by the user's file, line and pattern, instead of the engine's "lstat
 * .devpipe-context/local/…: no such file" about devpipe's internal view. Pure: the ignore file's
 * text and a matcher factory come from the caller.
 */
import { DevpipeError } from '../errors.js';
import type { ContextEntry } from '../ports.js';

export type MatcherFactory = (patterns: readonly string[]) => (relative: string) => boolean;

export interface IgnoredCopy {
  variant: string;
  /** The project path the variant copies. */
  source: string;
  /** The `.dockerignore` line (1-based) and pattern that exclude it. */
  line: number;
  pattern: string;
}

/** Patterns of a .dockerignore with their line numbers. */
export function ignoreLines(text: string): { line: number; pattern: string }[] {
  return text.split(/\r?\n/).flatMap((raw, index) => {
    const pattern = raw.trim();
    return pattern === '' || pattern.startsWith('#') ? [] : [{ line: index + 1, pattern }];
  });
}

const glob = /[*?[\]]/;

export function ignoredCopies(
  builds: readonly { variant: string; extraEntries: readonly ContextEntry[] }[],
  ignoreText: string | undefined,
  matcher: MatcherFactory,
): IgnoredCopy[] {
  if (!ignoreText) return [];
  const lines = ignoreLines(ignoreText);
  const all = matcher(lines.map((l) => l.pattern));
  const found: IgnoredCopy[] = [];
  for (const build of builds) {
    for (const entry of build.extraEntries) {
      if (entry.kind !== 'view' || !entry.mirror) continue;
      const source = entry.source.replace(/^\.\//, '').replace(/\/+$/, '');
      if (source === '' || source === '.' || glob.test(source) || !all(source)) continue;
      const culprit = [...lines].reverse().find((l) => !l.pattern.startsWith('!') && matcher([l.pattern])(source)) ?? lines[lines.length - 1]!;
      found.push({ variant: build.variant, source, ...culprit });
    }
  }
  return found;
}

export function ignoredCopiesError(found: readonly IgnoredCopy[], ignoreFile: string): DevpipeError {
  const first = found[0]!;
  return new DevpipeError('spec', `${ignoreFile}:${first.line}: the pattern "${first.pattern}" excludes ${first.source}, which variant ${first.variant} copies`, {
    details: found.length > 1 ? found.map((f) => `${ignoreFile}:${f.line}: "${f.pattern}" excludes ${f.source} (variant ${f.variant})`) : [],
    hint: `remove the pattern from ${ignoreFile} or add \`!${first.source}\` after it; or stop copying ${first.source} in the Blubber file. Nothing was built.`,
  });
}
