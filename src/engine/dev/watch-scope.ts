/**
 * What the dev loop watches: the project, minus noise, minus directories a running service can
 * write into (writable bind mounts: changes there come from the stack itself, so they never
 * trigger builds; an image reading them is reported), minus ignored directories no spec file is in.
 */
import { isNoise } from './changes.js';
import type { PatternMatcher } from './inputs.js';
import { inputTargets, type DevPlan } from './plan.js';

export interface WatchScope {
  /** Project-relative paths never watched (the watcher's `ignore`). */
  ignore: (relative: string, isDirectory: boolean) => boolean;
  /** What to tell the user about writable mounts. */
  notes: { level: 'info' | 'warn'; text: string }[];
}

/** Project-relative directories a service mounts read-write. */
function writableMounts(plan: DevPlan, root: string, matcher: PatternMatcher): { mounts: string[]; notes: WatchScope['notes'] } {
  const base = root.replace(/\/+$/, '');
  const mounts: string[] = [];
  const notes: WatchScope['notes'] = [];
  for (const service of plan.config.services) {
    for (const volume of service.volumes) {
      if (volume.kind !== 'bind' || volume.readOnly) continue;
      const host = volume.host.startsWith('/') ? volume.host : `${base}/${volume.host}`;
      const relative = host.startsWith(`${base}/`) ? host.slice(base.length + 1).replace(/^\.\//, '').replace(/\/+$/, '') : host === base ? '' : undefined;
      if (relative === undefined) continue;
      mounts.push(relative);
      const readers = [...inputTargets(plan, matcher)].filter(([, isInput]) => isInput(relative === '' ? 'x' : `${relative}/x`)).map(([key]) => key);
      notes.push({
        level: readers.length > 0 ? 'warn' : 'info',
        text: `${service.name} mounts ./${relative} read-write: changes under it come from the stack and do not trigger builds${readers.length > 0 ? ` (${readers.join(', ')} read it: mount it read_only, or exclude it in .dockerignore)` : ''}`,
      });
    }
  }
  return { mounts, notes };
}

/** The watch scope for a plan. `current()` gives the plan at the time of each question (it is reloaded). */
export function watchScope(plan: DevPlan, root: string, matcher: PatternMatcher, current: () => DevPlan = () => plan): WatchScope {
  const ignored = matcher(plan.ignorePatterns.filter((p) => !p.startsWith('!')));
  const hasNegations = plan.ignorePatterns.some((p) => p.startsWith('!'));
  const { mounts, notes } = writableMounts(plan, root, matcher);
  const fromStack = (relative: string) => mounts.some((m) => m === '' || relative === m || relative.startsWith(`${m}/`));
  return {
    notes,
    ignore: (relative, isDirectory) =>
      isNoise(relative) || fromStack(relative) || (isDirectory && !hasNegations && ignored(relative) && !current().specFiles.some((f) => f.startsWith(`${relative}/`))),
  };
}
