/**
 * `devpipe ci` on PipelineLib's `.pipeline/config.yaml`: everything that can be checked is checked
 * before anything runs (exit 2, located); then each pipeline runs frame by frame, is recorded under
 * `.devpipe/runs/`, one at a time per project (holding the ci lock, after sweeping what dead runs
 * left). `--graph` needs no engine.
 */
import path from 'node:path';
import { DevpipeError } from '../../errors.js';
import { requireImages } from '../base-images.js';
import { SpecError, type SpecIssue } from '../../spec/issues.js';
import { findPipeline, isMode, loadPipelineConfig, selectPipelines, setupValues, skippedLines, type Mode, type Pipeline, type PipelineConfig, type Selection } from '../../spec/pipeline/index.js';
import { ciCredentialSource } from '../project/ci-secrets.js';
import { imageProject } from '../project/name.js';
import { readSpecFile, reportWarnings } from '../project/spec-files.js';
import type { Workspace } from '../project/workspace.js';
import { readCheckout } from './checkout.js';
import { CI_LOCK_FILE, type CiHost, type CiRunFlags } from './host.js';
import { planRerun, runPipeline, type PipelineOutcome, type RunRecord } from './index.js';
import { PassedRuns } from './passed-runs.js';
import { preflight } from './preflight.js';
import { randomRun } from './run-id.js';

export const PIPELINE_CONFIG = '.pipeline/config.yaml';

export interface LocalCiRequest extends CiRunFlags {
  requested: string[];
  /** Only plan and return the pipelines (`--graph`): no engine. */
  graph: boolean;
  mode: string;
  params: Record<string, string>;
}

/** Starts `fn` now; the returned function awaits it (a rejection is held until then, never unhandled). */
function settle<T>(fn: () => Promise<T>): () => Promise<T> {
  const result = fn().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return async () => {
    const done = await result;
    if (!done.ok) throw done.error;
    return done.value;
  };
}

/** Reads the config and selects the pipelines in one pass (the others' semantic errors are warnings). */
async function loadConfig(ws: Workspace, choose: (config: PipelineConfig) => Selection): Promise<{ config: PipelineConfig; selection: Selection }> {
  const spec = await readSpecFile(ws, PIPELINE_CONFIG, 'PipelineLib config', `devpipe ci reads ${PIPELINE_CONFIG} in the project directory (${ws.reader.root}); run it in a repository that has one, or pass -C DIR`);
  let selection: Selection | undefined;
  const loaded = loadPipelineConfig(spec.text, spec.display, {
    select: (config) => {
      selection = choose(config);
      return selection.run;
    },
  });
  if (!loaded.ok) throw new SpecError([...loaded.errors]);
  reportWarnings(ws.bus, loaded.warnings);
  return { config: loaded.value, selection: selection ?? choose(loaded.value) };
}

/**
 * A named pipeline that uses actions the mode refuses: CI's verdict, with the way to run it
 * (the file itself is fine: CI runs that pipeline from gate or postmerge).
 */
function modeError(errors: SpecIssue[], mode: Mode, requested: readonly string[]): SpecError {
  const refused = errors.filter((e) => / that is not allowed by this pipeline in \w+ mode$/.test(e.message));
  if (refused.length === 0 || refused.length !== errors.length) return new SpecError(errors);
  const names = [...new Set(refused.map((e) => e.path.split('.')[1] ?? ''))].filter(Boolean);
  const onlyBlubberfile = refused.every((e) => e.message.includes('(`blubberfile`)'));
  const hint = onlyBlubberfile
    ? 'CI refuses a stage-level blubberfile in every mode: set `blubberfile` on the pipeline instead'
    : `the file is valid: CI runs ${names.join(', ')} from gate or postmerge, not ${mode}; run \`devpipe ci --mode postmerge ${requested.join(' ')}\``;
  return new SpecError(errors, undefined, hint);
}

/** The pipelines `--graph` shows (checked, nothing run). */
export async function planLocalCi(host: Pick<CiHost, 'ws'>, request: Pick<LocalCiRequest, 'requested'>): Promise<Pipeline[]> {
  const { config, selection } = await loadConfig(host.ws, (loaded) => selectPipelines(loaded, request.requested, undefined));
  const checked = await preflight(host.ws.reader, config, selection.run, undefined);
  reportWarnings(host.ws.bus, checked.warnings);
  if (checked.errors.length > 0) throw new SpecError(checked.errors);
  return selection.run.map((name) => findPipeline(config, name)!);
}

/** Runs the selected pipelines one after another (stopping at the first that fails); `onOutcome` after each. */
export async function runLocalCi(host: CiHost, request: LocalCiRequest, onOutcome: (outcome: PipelineOutcome, recordDir: string) => Promise<void>): Promise<number> {
  const { ws, records } = host;
  const requested = request.requested;
  if (request.from !== undefined && request.rerun === undefined) {
    throw new DevpipeError('usage', '--from needs --rerun', { hint: `rerun the last run from a stage: devpipe ci --rerun --from ${request.from}` });
  }
  if (!isMode(request.mode)) throw new DevpipeError('usage', `--mode must be test, gate or postmerge, got "${request.mode}"`);
  let rerun: RunRecord | undefined;
  if (request.rerun !== undefined) {
    const id = typeof request.rerun === 'string' ? request.rerun : undefined;
    rerun = await records.read(id);
    if (!rerun) throw new DevpipeError('usage', id ? `there is no recorded run ${id}` : 'there is no recorded run to rerun', { hint: `runs are recorded in ${records.location()}; run \`devpipe ci\` first` });
    if (requested.length > 0 && !requested.includes(rerun.pipeline)) {
      throw new DevpipeError('usage', `run ${rerun.runId} ran pipeline \`${rerun.pipeline}\`, not ${requested.join(', ')}`, { hint: `drop the pipeline name: devpipe ci --rerun ${rerun.runId}` });
    }
  }
  const mode: Mode = rerun && isMode(rerun.mode) ? rerun.mode : request.mode;
  // What does not depend on the spec starts now, beside loading and checking it; failures are
  // reported after the spec's own (a bad spec is exit 2 even when the engine is down).
  const engine = settle(async () => {
    await host.engine.info();
    return host.runnerPorts(request.registry);
  });
  // One `git status` answers both the checkout and the revision labelled on images.
  const checkout = settle(async () => (rerun ? undefined : readCheckout(host.process, ws.reader.root, request.params)));
  const revision = settle(async () => (rerun ? host.revision() : (await checkout())!.revision));
  const { config, selection } = await loadConfig(ws, (loaded) => selectPipelines(loaded, rerun ? [rerun.pipeline] : requested, mode));
  const names = selection.run;
  for (const text of skippedLines(selection, mode)) ws.bus.emit('message', { level: 'info', text });
  const images = (await host.settings()).images;
  const checked = await preflight(ws.reader, config, names, mode, images);
  reportWarnings(ws.bus, checked.warnings);
  if (checked.errors.length > 0) throw modeError(checked.errors, mode, requested);
  const plan = rerun ? planRerun(findPipeline(config, rerun.pipeline)!, rerun, request.from) : undefined;
  const [secrets, project] = await Promise.all([ciCredentialSource(ws, request.secretsFile), imageProject(ws.reader)]);
  const runner = await engine();
  // A base image that is neither here nor pullable: said before any stage runs (exit 3).
  if (!request.pull) await requireImages(runner.images, checked.needs);
  const ports = { ...runner, secrets, records, files: { read: (p: string) => ws.reader.read(p).catch(() => undefined) }, passed: new PassedRuns(host.files) };
  await host.hostTrust();
  const read = await checkout();
  for (const text of read?.assumptions ?? []) ws.bus.emit('message', { level: 'info', text });
  if (request.registry) ws.bus.emit('message', { level: 'info', text: `publish pushes to ${request.registry}` });

  // Holding the ci lock, the containers of earlier runs whose devpipe process is gone are removed
  // and those runs marked aborted (containers kept with --keep by a finished run stay).
  return ws.withLock('ci', request.signal, async () => {
    await host.sweepDeadRuns(project);
    if (rerun) rerun = (await records.read(rerun.runId)) ?? rerun;
    let exitCode = 0;
    for (const name of names) {
      const pipeline = findPipeline(config, name)!;
      const startedAt = new Date();
      const runId = randomRun(startedAt, name);
      const setup = rerun
        ? (rerun.bindings.setup ?? {})
        : setupValues({ ...read!.input, pipeline: name, startedAt, logURL: `file://${path.join(records.location(runId), 'run.json')}`, params: { PLIB_PIPELINE: name, ...request.params } });
      const outcome = await runPipeline(ports, ws.bus, { config, pipeline, runId, setup, startedAt, rerun: rerun && plan ? { record: rerun, plan } : undefined }, {
        projectDir: ws.reader.root,
        project,
        owner: host.owner,
        revision: await revision(),
        mode,
        keep: request.keep,
        noCache: request.noCache === true,
        pull: request.pull,
        registry: request.registry,
        signal: request.signal,
        taskPrefix: names.length > 1 ? `${name}/` : '',
        images,
      });
      await onOutcome(outcome, records.location(runId));
      exitCode = Math.max(exitCode, outcome.exitCode);
      if (outcome.exitCode !== 0) break;
    }
    if (exitCode === 130) throw new DevpipeError('interrupted', 'interrupted; teardown ran');
    return exitCode;
  }, CI_LOCK_FILE);
}
