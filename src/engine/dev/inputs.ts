/**
 * Which project paths are build inputs of which image. A compiled variant reaches local files
 * only through context views (mirrored `.devpipe-context/local/…` and filtered exclude views),
 * so its inputs are exactly: the views' sources, minus `.dockerignore` and each view's excludes.
 * Pure: the dockerignore matcher is passed in (the adapter owns the matching library).
 */
import type { ContextEntry } from '../../ports.js';

/** Returns true when a project-relative path is excluded by the patterns. */
export type PatternMatcher = (patterns: readonly string[]) => (relative: string) => boolean;

export interface ImageInputs {
  /** Service or variant the inputs belong to. */
  name: string;
  extraEntries: readonly ContextEntry[];
  /** The project's .dockerignore patterns (or PipelineLib excludes). */
  ignorePatterns: readonly string[];
  /** True when the whole project is sent at the context root. */
  sendProject?: boolean;
}

const globChars = /[*?[]/;

function clean(path: string): string {
  const parts: string[] = [];
  for (const part of path.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/** A predicate: is this project-relative path an input of the image? */
export function inputMatcher(inputs: ImageInputs, matcher: PatternMatcher): (relative: string) => boolean {
  const ignored = matcher(inputs.ignorePatterns);
  const views = inputs.extraEntries.filter((e): e is Extract<ContextEntry, { kind: 'view' }> => e.kind === 'view');
  const checks = views.map((view) => {
    const source = clean(view.source);
    const excluded = matcher(view.exclude);
    if (globChars.test(source)) {
      const glob = matcher([source]);
      return (path: string) => glob(path) && !excluded(view.mirror ? path : path.split('/').pop() ?? path);
    }
    return (path: string) => {
      if (source === '') return !excluded(path);
      if (path !== source && !path.startsWith(`${source}/`)) return false;
      const below = path === source ? path.split('/').pop() ?? path : path.slice(source.length + 1);
      return !excluded(view.mirror ? path : below);
    };
  });
  return (relative: string) => {
    const path = clean(relative);
    if (path === '' || ignored(path)) return false;
    if (inputs.sendProject) return true;
    return checks.some((check) => check(path));
  };
}
