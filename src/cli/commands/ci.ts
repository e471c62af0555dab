/**
 * `devpipe ci [pipeline...]`: run `.pipeline/config.yaml` locally with PipelineLib's semantics.
 * Everything that can be checked is checked before anything runs (exit 2, located); then each
 * pipeline runs frame by frame through the engine, is recorded under `.devpipe/runs/`, and ends
 * with a summary table and, after a failure, the exact rerun command. `--graph` needs no engine.
 */
import path from 'node:path';
import { planRerun, randomRun, runPipeline, summaryText, type RunRecord } from '../ci/run-helpers.js';
import { DevpipeError } from '../../errors.js';
import { SpecError } from '../../spec/issues.js';
import { stackName } from '../../spec/stack/load.js';
import { findPipeline, graphDot, graphText, isMode, loadPipelineConfig, setupValues, type Mode, type PipelineConfig } from '../../spec/pipeline/index.js';
import { readCheckout } from '../ci/checkout.js';
import { preflight } from '../ci/preflight.js';
import { FsProjectFiles, FsRunRecords } from '../ci/records.js';
import { ciSecretSource } from '../ci/secrets.js';
import type { Context } from '../context.js';
import { sourceRevision } from '../git.js';
import { keyValues, readSpecFile, reportWarnings } from '../spec-files.js';

export const configPath = '.pipeline/config.yaml';

async function loadConfig(ctx: Context): Promise<PipelineConfig> {
  const spec = await readSpecFile(ctx, configPath, 'PipelineLib config', `devpipe ci reads ${configPath} in the project directory (${ctx.projectDir}); run it in a repository that has one, or pass -C DIR`);
  const loaded = loadPipelineConfig(spec.text, spec.display);
  if (!loaded.ok) throw new SpecError([...loaded.errors]);
  reportWarnings(ctx, loaded.warnings);
  return loaded.value;
}

function selectPipelines(config: PipelineConfig, names: readonly string[]): string[] {
  const all = config.pipelines.map((p) => p.name);
  for (const name of names) {
    if (!all.includes(name)) {
      throw new DevpipeError('usage', `Pipeline '${name}' is not defined in project's '${config.file}'`, { hint: all.length > 0 ? `pipelines: ${all.join(', ')}` : 'the file defines no pipelines' });
    }
  }
  return names.length > 0 ? [...new Set(names)] : all;
}

function printGraph(ctx: Context, config: PipelineConfig, names: readonly string[]): void {
  for (const name of names) {
    const pipeline = findPipeline(config, name)!;
    ctx.print(`pipeline ${name}:`);
    ctx.print(graphText(pipeline));
    ctx.print();
    ctx.print(graphDot(pipeline));
    ctx.print();
    ctx.bus.emit('result', { command: 'ci --graph', data: { pipeline: name, frames: graphText(pipeline), dot: graphDot(pipeline) } });
  }
}

/** `devpipe` or `devpipe -C dir`, for the printed rerun command. */
function invocation(ctx: Context): string {
  return ctx.options.dir ? `devpipe -C ${ctx.options.dir}` : 'devpipe';
}

export async function run(ctx: Context, args: unknown[], options: Record<string, unknown>): Promise<number> {
  const requested = (args[0] as string[] | undefined) ?? [];
  const rerunOption = options.rerun as string | boolean | undefined;
  const from = options.from as string | undefined;
  if (from !== undefined && rerunOption === undefined) {
    throw new DevpipeError('usage', '--from needs --rerun', { hint: `rerun the last run from a stage: devpipe ci --rerun --from ${from}` });
  }
  const modeOption = String(options.mode ?? 'test');
  if (!isMode(modeOption)) throw new DevpipeError('usage', `--mode must be test, gate or postmerge, got "${modeOption}"`);
  const config = await loadConfig(ctx);
  const records = new FsRunRecords(ctx.projectDir, (value) => ctx.redactor.value(value));

  let rerun: RunRecord | undefined;
  if (rerunOption !== undefined) {
    const id = typeof rerunOption === 'string' ? rerunOption : undefined;
    rerun = await records.read(id);
    if (!rerun) {
      throw new DevpipeError('usage', id ? `there is no recorded run ${id}` : 'there is no recorded run to rerun', { hint: `runs are recorded in ${records.location()}; run \`devpipe ci\` first` });
    }
    if (requested.length > 0 && !requested.includes(rerun.pipeline)) {
      throw new DevpipeError('usage', `run ${rerun.runId} ran pipeline \`${rerun.pipeline}\`, not ${requested.join(', ')}`, { hint: `drop the pipeline name: devpipe ci --rerun ${rerun.runId}` });
    }
  }
  const names = rerun ? selectPipelines(config, [rerun.pipeline]) : selectPipelines(config, requested);
  const mode: Mode = rerun && isMode(rerun.mode) ? rerun.mode : modeOption;
  const checked = await preflight(ctx.projectDir, config, names, options.graph ? undefined : mode);
  reportWarnings(ctx, checked.warnings);
  if (checked.errors.length > 0) throw new SpecError(checked.errors);
  if (options.graph) {
    printGraph(ctx, config, names);
    return 0;
  }
  const plan = rerun ? planRerun(findPipeline(config, rerun.pipeline)!, rerun, from) : undefined;
  const secrets = await ciSecretSource(ctx, options.secrets as string | undefined);

  const docker = await ctx.docker();
  await docker.engine.info();
  await ctx.reporter();
  const { currentOwner, ciProject, sweepDeadRuns } = await import('../ci/owner.js');
  await sweepDeadRuns(ctx.projectDir, docker.containers, ctx.bus, (value) => ctx.redactor.value(value));
  if (rerun) rerun = (await records.read(rerun.runId)) ?? rerun;
  const proc = await ctx.process();
  const registry = (options.registry as string | undefined) ?? ctx.env.DEVPIPE_CI_REGISTRY;
  const ports = {
    builder: docker.builder,
    images: docker.images,
    containers: docker.containers,
    copier: docker.copier,
    pusher: registry ? docker.pusher : undefined,
    kube: ctx.options.target === 'minikube' ? (await import('../kube/deploy.js')).ciKubeDeployPort(ctx, stackName(path.basename(ctx.projectDir)), ctx.bus) : undefined,
    secrets,
    records,
    files: new FsProjectFiles(ctx.projectDir),
  };
  const params = keyValues(options.param as string[] | undefined);
  const revision = await sourceRevision(proc, ctx.projectDir);
  const checkout = rerun ? undefined : await readCheckout(proc, ctx.projectDir, params);
  for (const text of checkout?.assumptions ?? []) ctx.bus.emit('message', { level: 'info', text });
  if (registry) ctx.bus.emit('message', { level: 'info', text: `publish pushes to ${registry}` });

  let exitCode = 0;
  for (const name of names) {
    const pipeline = findPipeline(config, name)!;
    const startedAt = new Date();
    const runId = randomRun(startedAt, name);
    const setup = rerun
      ? (rerun.bindings.setup ?? {})
      : setupValues({
          ...checkout!.input,
          pipeline: name,
          startedAt,
          logURL: `file://${path.join(records.location(runId), 'run.json')}`,
          params: { PLIB_PIPELINE: name, ...params },
        });
    const outcome = await runPipeline(ports, ctx.bus, { config, pipeline, runId, setup, startedAt, rerun: rerun && plan ? { record: rerun, plan } : undefined }, {
      projectDir: ctx.projectDir,
      project: ciProject(ctx.projectDir),
      owner: currentOwner(),
      revision,
      mode,
      keep: options.keep === true,
      pull: options.pull === true,
      registry,
      signal: options.signal as AbortSignal | undefined,
      taskPrefix: names.length > 1 ? `${name}/` : '',
    });
    await ctx.finish();
    ctx.bus.emit('result', { command: 'ci', data: outcome.record });
    ctx.print();
    ctx.print(summaryText(outcome.record, outcome.teardown, { command: invocation(ctx) }));
    ctx.print(`record: ${path.relative(ctx.projectDir, records.location(runId)) || records.location(runId)}`);
    exitCode = Math.max(exitCode, outcome.exitCode);
    if (outcome.exitCode !== 0) break;
  }
  if (exitCode === 130) throw new DevpipeError('interrupted', 'interrupted; teardown ran');
  return exitCode;
}
