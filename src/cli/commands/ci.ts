/**
 * `devpipe ci [pipeline...]`: run `.pipeline/config.yaml` locally with PipelineLib's semantics.
 * Everything that can be checked is checked before anything runs (exit 2, located); then each
 * pipeline runs frame by frame through the engine, is recorded under `.devpipe/runs/`, and ends
 * with a summary table and, after a failure, the exact rerun command. `--graph` needs no engine.
 * A repository with only a `.gitlab-ci.yml` (or `--ci gitlab`) runs its GitLab CI jobs (cli/gitlab).
 */
import path from 'node:path';
import { planRerun, runPipeline, type RunRecord } from '../../engine/ci/index.js';
import { summaryText } from '../../ui/ci-summary.js';
import { readCheckout } from '../../engine/ci/checkout.js';
import { preflight } from '../../engine/ci/preflight.js';
import { randomRun } from '../../engine/ci/run-id.js';
import { ciCredentialSource } from '../../engine/project/ci-secrets.js';
import { imageProject } from '../../engine/project/name.js';
import { keyValues, readSpecFile, reportWarnings } from '../../engine/project/spec-files.js';
import type { Workspace } from '../../engine/project/workspace.js';
import { DevpipeError } from '../../errors.js';
import { SpecError, type SpecIssue } from '../../spec/issues.js';
import { stackName } from '../../spec/stack/load.js';
import {
  findPipeline,
  graphDot,
  graphText,
  isMode,
  loadPipelineConfig,
  selectPipelines,
  setupValues,
  skippedLines,
  type Mode,
  type PipelineConfig,
  type Selection,
} from '../../spec/pipeline/index.js';
import { chooseCi } from '../gitlab/detect.js';
import { FsRunRecords } from '../../fs/run-records.js';
import type { Context } from '../context.js';

export const configPath = '.pipeline/config.yaml';

/**
 * Reads the config and selects the pipelines of this run in one pass: CI checks the schema of the
 * whole file but the semantics of the selected pipelines only (the others' errors are warnings).
 */
async function loadConfig(ws: Workspace, choose: (config: PipelineConfig) => Selection): Promise<{ config: PipelineConfig; selection: Selection }> {
  const spec = await readSpecFile(ws, configPath, 'PipelineLib config', `devpipe ci reads ${configPath} in the project directory (${ws.reader.root}); run it in a repository that has one, or pass -C DIR`);
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

const graphFormats = ['text', 'dot'] as const;
type GraphFormat = (typeof graphFormats)[number] | 'both';

/**
 * `--graph` takes an optional format. Commander reads `--graph publish` as the format `publish`:
 * a value that is not a format is the pipeline name the user meant.
 */
function graphOption(value: unknown, requested: string[]): GraphFormat | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return 'both';
  const text = String(value);
  if ((graphFormats as readonly string[]).includes(text)) return text as GraphFormat;
  requested.unshift(text);
  return 'both';
}

function printGraph(ctx: Context, config: PipelineConfig, names: readonly string[], format: GraphFormat): void {
  for (const name of names) {
    const pipeline = findPipeline(config, name)!;
    if (format !== 'dot') {
      ctx.print(`pipeline ${name}:`);
      ctx.print(graphText(pipeline));
      ctx.print();
    }
    if (format !== 'text') {
      ctx.print(graphDot(pipeline));
      ctx.print();
    }
    ctx.bus.emit('result', { command: 'ci --graph', data: { pipeline: name, frames: graphText(pipeline), dot: graphDot(pipeline) } });
  }
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

/** `devpipe` or `devpipe -C dir`, for the printed rerun command. */
function invocation(ctx: Context): string {
  return ctx.options.dir ? `devpipe -C ${ctx.options.dir}` : 'devpipe';
}

export async function run(ctx: Context, args: unknown[], options: Record<string, unknown>): Promise<number> {
  const ci = chooseCi(ctx.projectDir, options);
  if (ci.kind === 'gitlab') return (await import('../gitlab/ci.js')).runGitlabCi(ctx, args, options);
  if (ci.note) ctx.bus.emit('message', { level: 'info', text: ci.note });
  const requested = [...((args[0] as string[] | undefined) ?? [])];
  const graph = graphOption(options.graph, requested);
  const rerunOption = options.rerun as string | boolean | undefined;
  const from = options.from as string | undefined;
  if (from !== undefined && rerunOption === undefined) {
    throw new DevpipeError('usage', '--from needs --rerun', { hint: `rerun the last run from a stage: devpipe ci --rerun --from ${from}` });
  }
  const modeOption = String(options.mode ?? 'test');
  if (!isMode(modeOption)) throw new DevpipeError('usage', `--mode must be test, gate or postmerge, got "${modeOption}"`);
  const records = new FsRunRecords(ctx.projectDir, <T>(value: T) => ctx.redactor.value(value));
  const ws = await ctx.workspace();

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
  const mode: Mode = rerun && isMode(rerun.mode) ? rerun.mode : modeOption;
  // Attached first, so the spec's warnings and the skipped pipelines are shown even when the
  // run stops before the engine is reached.
  await ctx.reporter();
  const { config, selection } = await loadConfig(ws, (loaded) => selectPipelines(loaded, rerun ? [rerun.pipeline] : requested, graph ? undefined : mode));
  const names = selection.run;
  for (const text of skippedLines(selection, mode)) ctx.bus.emit('message', { level: 'info', text });
  const checked = await preflight(ws.reader, config, names, graph ? undefined : mode);
  reportWarnings(ctx.bus, checked.warnings);
  if (checked.errors.length > 0) throw modeError(checked.errors, mode, requested);
  if (graph) {
    printGraph(ctx, config, names, graph);
    return 0;
  }
  const plan = rerun ? planRerun(findPipeline(config, rerun.pipeline)!, rerun, from) : undefined;
  const secrets = await ciCredentialSource(ws, options.secrets as string | undefined);

  const docker = await ctx.docker();
  await docker.engine.info();
  const { currentOwner, sweepDeadRuns } = await import('../../host/owner.js');
  const proc = await ctx.process();
  const registry = (options.registry as string | undefined) ?? ctx.env.DEVPIPE_CI_REGISTRY;
  const ports = {
    builder: docker.builder,
    images: docker.images,
    containers: docker.containers,
    copier: docker.copier,
    pusher: registry ? docker.pusher : undefined,
    kube: ctx.targetName(undefined) === 'minikube' ? (await import('../../engine/targets/kube/deploy.js')).ciKubeDeployPort(await ctx.kubePorts(), stackName(path.basename(ctx.projectDir)), ctx.bus) : undefined,
    secrets,
    records,
    files: { read: async (p: string) => (await ctx.workspace()).reader.read(p).catch(() => undefined) },
  };
  const params = keyValues(options.param as string[] | undefined);
  const project = await imageProject(ws.reader);
  await ctx.hostTrust();
  const revision = await ctx.revision();
  const checkout = rerun ? undefined : await readCheckout(proc, ctx.projectDir, params);
  for (const text of checkout?.assumptions ?? []) ctx.bus.emit('message', { level: 'info', text });
  if (registry) ctx.bus.emit('message', { level: 'info', text: `publish pushes to ${registry}` });

  // One ci at a time per project (its own lock: `up` may run beside it); holding it, the
  // containers of earlier runs whose devpipe process is gone are removed and those runs marked
  // aborted (containers kept with --keep by a finished run stay).
  return ctx.withLock('ci', options.signal as AbortSignal | undefined, async () => {
    await sweepDeadRuns(ctx.projectDir, docker.containers, ctx.bus, <T>(value: T) => ctx.redactor.value(value), project);
    if (rerun) rerun = (await records.read(rerun.runId)) ?? rerun;
    return runAll();
  }, CI_LOCK_FILE);

  async function runAll(): Promise<number> {
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
      project,
      owner: currentOwner(),
      revision,
      mode,
      keep: options.keep === true,
      pull: options.pull === true,
      registry,
      signal: options.signal as AbortSignal | undefined,
      taskPrefix: names.length > 1 ? `${name}/` : '',
      images: (await ctx.settings()).images,
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
}

const CI_LOCK_FILE = '.devpipe/ci.lock';
