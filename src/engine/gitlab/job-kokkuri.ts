/**
 * A Kokkuri job, locally (kokkuri.md §1.3, §1.8): build the variant; export its files for
 * `--output type=local`; for build-and-run-image run the variant's entrypoint with RUN_ARGUMENTS
 * appended (the job's variables as env; upstream this is a build step, here a `docker run`);
 * for build-and-publish-image tag `<R>/<name>:<tag>` per tag (pushed only with --registry); for
 * bake, each target likewise. The dotenv values are returned for later jobs.
 */
import { posix } from 'node:path';
import { DevpipeError } from '../../errors.js';
import { kokkuriAction, KokkuriError, type KokkuriAction, type PlannedJob } from '../../spec/gitlab/index.js';
import type { StepOutcome } from '../ci/index.js';
import { redact } from '../ci/index.js';
import { buildVariant } from './build.js';
import { runEnvironment, type JobEnvironment } from './env.js';
import { cachedDetail } from '../ci/step-run.js';
import { runKey } from '../ci/passed-runs.js';
import { jobLabels, now, randomName, taskOf, type GitlabState } from './state.js';

export interface JobOutput {
  imageId?: string | undefined;
  published: string[];
  exports: Record<string, string>;
  steps: StepOutcome[];
}

const defaultTimeoutMs = 60 * 60_000;

async function publish(state: GitlabState, imageId: string, refs: readonly string[], name: string, out: JobOutput): Promise<string> {
  for (const ref of refs) {
    await state.ports.images.tag(imageId, ref);
    out.published.push(ref);
  }
  const id = imageId.replace(/^sha256:/, '');
  if (!state.record.publishedImages.includes(id)) state.record.publishedImages.push(id);
  const registry = state.options.registry;
  if (!registry || !state.ports.pusher) return `tagged ${refs.join(', ')} locally; nothing pushed (--registry pushes)`;
  const pushed: string[] = [];
  for (const ref of refs) {
    const target = `${registry.replace(/\/+$/, '')}/${name}:${ref.slice(ref.lastIndexOf(':') + 1)}`;
    await state.ports.images.tag(imageId, target);
    await state.ports.pusher.push(target, state.options.signal);
    pushed.push(target);
    out.published.push(target);
  }
  return `tagged ${refs.join(', ')}; pushed ${pushed.join(', ')}`;
}

async function exportFiles(state: GitlabState, job: PlannedJob, imageId: string, dir: string): Promise<StepOutcome> {
  const count = await state.ports.imageFiles.exportTo(imageId, posix.join(state.options.projectDir, dir), jobLabels(state, job.name));
  return { step: 'output', status: 'ok', detail: `${count} file(s) of the image written to ${dir}/` };
}

async function run(state: GitlabState, job: PlannedJob, action: KokkuriAction, imageId: string, env: JobEnvironment): Promise<StepOutcome> {
  const info = await state.ports.images.inspect(imageId);
  if (!info?.entrypoint || info.entrypoint.length === 0) return { step: 'run', status: 'ok', detail: `variant ${action.variant} has no entrypoint: nothing to run (as Blubber)` };
  const args = action.runArguments ?? [];
  const runEnv = { ...runEnvironment(job, env), ...action.runEnvironment };
  const command = [...info.entrypoint, ...args].join(' ');
  // The same image, command and variables passed before: answered from the record (passed-runs.ts).
  const cache = state.options.noCache ? undefined : state.ports.passed;
  const key = cache ? runKey({ kind: 'gitlab', image: imageId, command: [...info.entrypoint, ...args], env: runEnv }) : '';
  const hit = cache ? await cache.get(key) : undefined;
  if (hit) return { step: 'run', status: 'ok', cached: true, detail: cachedDetail(hit, imageId, now(state)) };
  const started = now(state);
  const name = randomName(state, 'gitlab-run');
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), state.options.runTimeoutMs ?? defaultTimeoutMs);
  const onAbort = () => timeout.abort();
  state.options.signal?.addEventListener('abort', onAbort, { once: true });
  state.record.containers.push(name);
  try {
    const result = await state.ports.containers.run({
      image: imageId,
      name,
      command: args,
      env: runEnv,
      labels: jobLabels(state, job.name),
      signal: timeout.signal,
      onOutput: (line, stream) => state.bus.emit('task:log', { id: taskOf(job.name), line: redact(line, state.secrets), stream }),
    });
    if (result.exitCode !== 0) {
      const last = result.tail.slice(-10).map((l) => redact(l, state.secrets));
      throw new DevpipeError('failure', `job \`${job.name}\`: \`${command}\` exited with code ${result.exitCode}`, { details: last.length > 0 ? ['last lines:', ...last] : [] });
    }
    if (cache) await cache.put(key, { runId: state.runId, stage: job.name, passedAt: new Date(now(state)).toISOString(), durationMs: now(state) - started, output: '' }, state.secrets);
    return { step: 'run', status: 'ok', detail: `${command}: exit 0` };
  } catch (error) {
    if (timeout.signal.aborted && !state.options.signal?.aborted) throw new DevpipeError('failure', `job \`${job.name}\`: the run timed out`, { cause: error, hint: 'GitLab stops jobs after their timeout too (default 1 hour)' });
    throw error;
  } finally {
    clearTimeout(timer);
    state.options.signal?.removeEventListener('abort', onAbort);
  }
}

export async function kokkuriJob(state: GitlabState, job: PlannedJob, env: JobEnvironment): Promise<JobOutput> {
  const bakeFile = env.vars.DEVPIPE_BAKE_FILE ?? 'bake.hcl';
  const bakeText = job.job.kokkuri === 'bake' ? await state.ports.files.read(bakeFile) : undefined;
  let action: KokkuriAction;
  try {
    action = kokkuriAction({ jobName: job.name, template: job.job.kokkuri!, vars: env.vars, tags: job.job.tags, readFile: (p) => (p === bakeFile ? bakeText : undefined) });
  } catch (error) {
    if (error instanceof KokkuriError) throw new DevpipeError('spec', `job \`${job.name}\` (.kokkuri:${job.job.kokkuri}): ${error.message}`, { hint: error.hint });
    throw error;
  }
  const out: JobOutput = { published: [], exports: { ...action.dotenv }, steps: [] };
  const log = (step: StepOutcome) => {
    out.steps.push(step);
    if (step.detail) state.bus.emit('task:log', { id: taskOf(job.name), line: `${step.step}: ${step.detail}` });
  };
  for (const note of action.notApplicable) log({ step: 'runner', status: 'not-run-locally', detail: note });
  if (action.platforms.length > 0) log({ step: 'platforms', status: 'local-stand-in', detail: `CI builds for ${action.platforms.join(', ')}; devpipe builds for the engine's platform only` });
  if (action.bake) {
    for (const target of action.bake.targets) {
      const built = await buildVariant(state, { job: job.name, blubberFile: target.dockerfile, variant: target.variant, contextDir: target.context, buildArgs: target.args });
      log({ step: `bake ${target.name}`, status: 'ok', detail: `variant ${target.variant}: ${built.imageId.replace(/^sha256:/, '').slice(0, 12)}${built.cached ? ' (inputs unchanged, reused)' : ''}` });
      if (target.platforms.length > 0) log({ step: `platforms ${target.name}`, status: 'local-stand-in', detail: `CI builds ${target.name} for ${target.platforms.join(', ')}; devpipe builds for the engine's platform only` });
      // The image ID shown for the job: its first published target's (else the last one built).
      if (out.published.length === 0) out.imageId = built.imageId.replace(/^sha256:/, '');
      if (target.output.type === 'registry') log({ step: `publish ${target.name}`, status: 'local-stand-in', detail: await publish(state, built.imageId, target.refs, target.refs[0]?.replace(/^[^/]+\//, '').replace(/:[^:/]*$/, '') ?? target.name, out) });
      else if (target.output.type === 'local') log(await exportFiles(state, job, built.imageId, target.output.dest));
      else if (target.output.type === 'other') log({ step: `output ${target.name}`, status: 'not-run-locally', detail: `output ${target.output.text} is not supported locally` });
    }
    return out;
  }
  const built = await buildVariant(state, { job: job.name, blubberFile: action.blubberFile, variant: action.variant!, contextDir: action.contextDir, buildArgs: action.buildArgs });
  out.imageId = built.imageId.replace(/^sha256:/, '');
  log({ step: 'build', status: 'ok', detail: `variant ${action.variant}: ${out.imageId.slice(0, 12)} (${built.cached ? 'inputs unchanged, reused' : 'built'}) ${built.contentTag}` });
  if (action.outputDir) log(await exportFiles(state, job, built.imageId, action.outputDir));
  if (action.runArguments) log(await run(state, job, action, built.imageId, env));
  if (action.publish) log({ step: 'publish', status: 'local-stand-in', detail: await publish(state, built.imageId, action.publish.refs, action.publish.name, out) });
  if (Object.keys(out.exports).length > 0) log({ step: 'dotenv', status: 'ok', detail: Object.entries(out.exports).map(([k, v]) => `${k}=${v}`).join(' ') });
  return out;
}
