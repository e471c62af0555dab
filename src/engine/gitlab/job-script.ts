/**
 * A plain `script:` job (kokkuri.md §2.12): run in its `image:` (expanded at job time, so
 * `${X_IMAGE_REF}` from a dotenv report works) when that image exists locally — devpipe never
 * pulls — as `/bin/sh -c` with `set -e`, before_script then script, every variable of the job in
 * the environment. The checkout is mounted at /builds/<project path> (its working directory)
 * unless GIT_STRATEGY is none. Otherwise the job is reported as not runnable, with the reason.
 */
import { aliasFor } from '../../spec/settings/index.js';
import { DevpipeError } from '../../errors.js';
import { expand, type PlannedJob } from '../../spec/gitlab/index.js';
import { redact } from '../ci/index.js';
import type { JobEnvironment } from './env.js';
import type { JobOutput } from './job-kokkuri.js';
import { jobLabels, randomName, taskOf, type GitlabState } from './state.js';

const defaultTimeoutMs = 60 * 60_000;

export type ScriptOutcome = { ran: true; output: JobOutput } | { ran: false; reason: string };

/** The shell text of a job: `set -e`, each line echoed as the runner does, before_script then script. */
export function scriptText(job: PlannedJob): string {
  const lines = [...job.job.beforeScript, ...job.job.script];
  return ['set -e', ...lines.flatMap((line) => [`printf '%s\\n' ${shellQuote(`$ ${line.split('\n')[0]}`)}`, line])].join('\n');
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export async function scriptJob(state: GitlabState, job: PlannedJob, env: JobEnvironment): Promise<ScriptOutcome> {
  if (!job.job.image) return { ran: false, reason: 'no image: (GitLab would use the runner default image); set image: to run it locally' };
  const named = expand(job.job.image.name, (n) => env.vars[n] ?? '');
  if (named.trim() === '') return { ran: false, reason: `image \`${job.job.image.name}\` expands to nothing (a dotenv value from a job that did not run?)` };
  // The settings' `images:` aliases apply to a job's image as to Blubber bases.
  const image = aliasFor(named, state.options.images ?? {}) ?? named;
  if (image !== named) state.bus.emit('task:log', { id: taskOf(job.name), line: `image ${named} → ${image} (images: in your settings file)` });
  const info = await state.ports.images.inspect(image);
  if (!info) return { ran: false, reason: `image ${image} is not present locally and devpipe never pulls in ci; pull it yourself, tag a local stand-in as ${image}, or map it to one under images: in ~/.config/devpipe/settings.yaml` };
  const projectPath = env.vars.CI_PROJECT_PATH ?? 'project';
  const checkout = env.vars.GIT_STRATEGY !== 'none';
  const dir = `/builds/${projectPath}`;
  const name = randomName(state, 'gitlab-job');
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), state.options.runTimeoutMs ?? defaultTimeoutMs);
  const onAbort = () => timeout.abort();
  state.options.signal?.addEventListener('abort', onAbort, { once: true });
  state.record.containers.push(name);
  const output: JobOutput = { published: [], exports: {}, steps: [] };
  if (job.job.afterScript.length > 0) output.steps.push({ step: 'after_script', status: 'not-run-locally', detail: 'after_script is not run locally' });
  try {
    const result = await state.ports.containers.run({
      image,
      name,
      entrypoint: ['/bin/sh', '-c'],
      command: [scriptText(job)],
      env: { ...env.vars, ...(checkout ? { CI_PROJECT_DIR: dir, CI_BUILDS_DIR: '/builds' } : {}) },
      labels: jobLabels(state, job.name),
      binds: checkout ? [{ host: state.options.projectDir, container: dir, rw: true }] : [],
      workingDir: checkout ? dir : undefined,
      signal: timeout.signal,
      onOutput: (line, stream) => state.bus.emit('task:log', { id: taskOf(job.name), line: redact(line, state.secrets), stream }),
    });
    if (result.exitCode !== 0) {
      const last = result.tail.slice(-10).map((l) => redact(l, state.secrets));
      throw new DevpipeError('failure', `job \`${job.name}\`: the script exited with code ${result.exitCode} (in ${image})`, { details: last.length > 0 ? ['last lines:', ...last] : [] });
    }
  } catch (error) {
    if (timeout.signal.aborted && !state.options.signal?.aborted) throw new DevpipeError('failure', `job \`${job.name}\`: the script timed out`, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
    state.options.signal?.removeEventListener('abort', onAbort);
  }
  output.steps.unshift({ step: 'script', status: 'ok', detail: `${job.job.script.length} line(s) in ${image}${checkout ? `, checkout at ${dir}` : ''}: exit 0` });
  return { ran: true, output };
}
