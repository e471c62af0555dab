/**
 * Before the first GitLab job runs: every base image the pipeline's Kokkuri builds need (after
 * the settings' `images:` aliases), checked at once, so a missing one is exit 3 naming every
 * job that needs it — not a failure after other jobs have built. Jobs whose Blubber file or
 * variant is only known at run time (a dotenv value from an earlier job) are checked when they
 * run, as before.
 */
import { posix } from 'node:path';
import { compileVariant } from '../../compile/index.js';
import { loadBlubber } from '../../spec/blubber/index.js';
import { kokkuriAction, resolveVariables, runtimeValues, type PlannedJob } from '../../spec/gitlab/index.js';
import { requireImages, type ImageNeed } from '../base-images.js';
import type { GitlabState } from './state.js';

/** The builds of a Kokkuri job as far as they are known before anything runs. */
function staticBuilds(job: PlannedJob, vars: Record<string, string>, read: (file: string) => string | undefined): { blubberFile: string; variant: string; buildArgs: Record<string, string> }[] {
  if (job.kind !== 'kokkuri' || !job.job.kokkuri) return [];
  try {
    const action = kokkuriAction({ jobName: job.name, template: job.job.kokkuri, vars, tags: job.job.tags, readFile: read });
    if (action.bake) return action.bake.targets.map((t) => ({ blubberFile: t.dockerfile, variant: t.variant, buildArgs: t.args }));
    return action.variant ? [{ blubberFile: action.blubberFile, variant: action.variant, buildArgs: action.buildArgs }] : [];
  } catch {
    // Reported when the job runs, with its location.
    return [];
  }
}

/** Throws the hinted exit-3 error when a base image of a planned Kokkuri build is neither here nor pullable. */
export async function requireBaseImages(state: GitlabState, jobs: readonly PlannedJob[]): Promise<void> {
  if (state.options.pull) return;
  const texts = new Map<string, string | undefined>();
  const read = async (file: string): Promise<string | undefined> => {
    if (!texts.has(file)) texts.set(file, await state.ports.files.read(file));
    return texts.get(file);
  };
  const needs: ImageNeed[] = [];
  for (const job of jobs) {
    if (job.kind !== 'kokkuri') continue;
    const vars = runtimeValues(resolveVariables([job.variables], job.job.raw));
    const bakeFile = job.job.kokkuri === 'bake' ? (vars.DEVPIPE_BAKE_FILE ?? 'bake.hcl') : undefined;
    const bakeText = bakeFile ? await read(bakeFile) : undefined;
    for (const build of staticBuilds(job, vars, (p) => (p === bakeFile ? bakeText : undefined))) {
      if (build.blubberFile.includes('$') || build.variant.includes('$')) continue;
      const text = await read(posix.normalize(build.blubberFile));
      if (text === undefined) continue;
      const loaded = loadBlubber(text, build.blubberFile);
      if (!loaded.ok) continue;
      const buildArgs = Object.fromEntries(Object.entries(build.buildArgs).filter(([k]) => !k.startsWith('BUILDKIT_')));
      const compiled = compileVariant(loaded.value, build.variant, { buildArgs, localContext: 'views', images: state.options.images });
      if (!compiled.ok) continue;
      for (const base of compiled.value.baseImages) {
        needs.push({ image: base, usedBy: [`job ${job.name} (${build.blubberFile}#${build.variant})`], aliasOf: compiled.value.substitutions.find((s) => s.alias === base)?.image });
      }
    }
  }
  await requireImages(state.ports.images, needs);
}
