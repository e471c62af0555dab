/**
 * `devpipe ci` in GitLab mode (a `.gitlab-ci.yml` built on Kokkuri): read and plan as GitLab
 * would for the pipeline the flags and the checkout describe; `--plan` prints the decision and
 * builds nothing; otherwise the engine runs the jobs, records the run, tears down and prints the
 * summary. Located spec errors (the file and devpipe's Kokkuri description) exit 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevpipeError } from '../../errors.js';
import { runGitlabPipeline, rerunJobs, executionOrder, PIPELINE_KEY } from '../../engine/gitlab/index.js';
import type { RunRecord } from '../../engine/ci/index.js';
import { summaryText } from '../../ui/ci-summary.js';
import { sweepDeadRuns } from '../../engine/ci/teardown.js';
import { loadGitlabConfig, matchesAny, planPipeline, planText, type GitlabConfig, type PipelineInput, type Plan } from '../../spec/gitlab/index.js';
import { SpecError } from '../../spec/issues.js';
import { randomRun } from '../../engine/ci/run-id.js';
import { FsRunRecords } from '../../fs/run-records.js';
import { ciCredentialSource } from '../../engine/project/ci-secrets.js';
import type { Context } from '../context.js';
import { keyValues, readSpecFile, reportWarnings } from '../../engine/project/spec-files.js';
import { readGitlabCheckout, type GitlabCheckout } from '../../engine/gitlab/checkout.js';

export const gitlabFile = '.gitlab-ci.yml';
/** devpipe's Kokkuri description (from src/cli/gitlab or dist/cli/gitlab alike). */
export const kokkuriDescription = fileURLToPath(new URL('../../../templates/gitlab/kokkuri.yaml', import.meta.url));

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];
}

async function loadConfig(ctx: Context) {
  const spec = await readSpecFile(await ctx.workspace(), gitlabFile, 'GitLab CI file', `devpipe ci reads ${gitlabFile} (or .pipeline/config.yaml) in ${ctx.projectDir}`);
  const kokkuri = { file: 'devpipe:templates/gitlab/kokkuri.yaml', text: await readFile(kokkuriDescription, 'utf8') };
  const readLocal = (p: string) => {
    const absolute = path.resolve(ctx.projectDir, p);
    if (!absolute.startsWith(ctx.projectDir + path.sep) || !existsSync(absolute)) return undefined;
    return readFileSync(absolute, 'utf8');
  };
  const loaded = loadGitlabConfig({ file: spec.display, text: spec.text, kokkuri, readLocal });
  reportWarnings(ctx.bus, loaded.warnings);
  if (!loaded.ok) throw new SpecError([...loaded.errors]);
  return loaded.value;
}

function pipelineFrom(record: RunRecord): { pipeline: PipelineInput; vars: Record<string, string> } {
  const raw = record.bindings[PIPELINE_KEY] as (Omit<PipelineInput, 'startedAt'> & { startedAt: string; cliVariables?: Record<string, string> }) | undefined;
  if (!raw || record.pipeline !== 'gitlab-ci') throw new DevpipeError('usage', `run ${record.runId} is not a GitLab CI run`, { hint: 'rerun it with --ci pipelinelib' });
  const { cliVariables, startedAt, ...rest } = raw;
  return { pipeline: { ...rest, startedAt: new Date(startedAt) }, vars: cliVariables ?? {} };
}

function makePlan(ctx: Context, config: GitlabConfig, checkout: GitlabCheckout, vars: Record<string, string>): Plan {
  const read = (p: string) => {
    const absolute = path.resolve(ctx.projectDir, p);
    return absolute.startsWith(ctx.projectDir + path.sep) && existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
  };
  return planPipeline({ config, pipeline: checkout.pipeline, cliVariables: vars, changes: checkout.changes, exists: (glob) => matchesAny([glob], checkout.files) !== undefined, readFile: read });
}

export async function runGitlabCi(ctx: Context, _args: unknown[], options: Record<string, unknown>): Promise<number> {
  await ctx.reporter();
  const config = await loadConfig(ctx);
  const records = new FsRunRecords(ctx.projectDir);
  const proc = await ctx.process();
  const rerunOption = options.rerun as string | boolean | undefined;
  const from = options.from as string | undefined;
  if (from !== undefined && rerunOption === undefined) throw new DevpipeError('usage', '--from needs --rerun', { hint: `rerun the last run from a job: devpipe ci --rerun --from '${from}'` });
  let rerun: RunRecord | undefined;
  let vars = keyValues(options.var as string[] | undefined);
  const startedAt = new Date();
  let checkout: GitlabCheckout;
  if (rerunOption !== undefined) {
    const id = typeof rerunOption === 'string' ? rerunOption : undefined;
    rerun = await records.read(id);
    if (!rerun) throw new DevpipeError('usage', id ? `there is no recorded run ${id}` : 'there is no recorded run to rerun', { hint: `runs are recorded in ${records.location()}; run \`devpipe ci\` first` });
    const recorded = pipelineFrom(rerun);
    vars = { ...recorded.vars, ...vars };
    const fresh = await readGitlabCheckout(proc, ctx.projectDir, { vars, changed: list(options.changed) }, startedAt);
    checkout = { ...fresh, pipeline: { ...recorded.pipeline, startedAt: recorded.pipeline.startedAt } };
  } else {
    checkout = await readGitlabCheckout(
      proc,
      ctx.projectDir,
      {
        source: options.source as string | undefined,
        branch: options.branch as string | undefined,
        tag: options.tag as string | undefined,
        targetBranch: options.targetBranch as string | undefined,
        defaultBranch: options.defaultBranch as string | undefined,
        protected: options.protected as boolean | undefined,
        projectPath: options.projectPath as string | undefined,
        changed: list(options.changed),
        changesFrom: options.changesFrom as string | undefined,
        vars,
      },
      startedAt,
    );
  }
  for (const text of checkout.assumptions) ctx.bus.emit('message', { level: 'info', text });
  const plan = makePlan(ctx, config, checkout, vars);
  for (const warning of plan.warnings) ctx.bus.emit('message', { level: 'warn', text: warning });
  if (options.plan) {
    ctx.bus.emit('result', { command: 'ci --plan', data: planData(plan, checkout.pipeline) });
    await ctx.finish();
    ctx.print(planText(plan, checkout.pipeline));
    if (plan.errors.length > 0) throw new DevpipeError('spec', `${plan.errors.length} job(s) cannot be planned`, { details: plan.errors, hint: 'fix the jobs above; nothing was built' });
    return 0;
  }
  if (plan.errors.length > 0) throw new DevpipeError('spec', `${plan.errors.length} job(s) cannot be planned`, { details: plan.errors, hint: 'fix the jobs above (devpipe ci --plan shows the whole plan); nothing was built' });
  if (!plan.created || plan.jobs.length === 0) {
    ctx.print(plan.created ? `${plan.reason}\nno job matched: GitLab creates no pipeline for this event; nothing to run` : plan.reason);
    return 0;
  }
  const runManual = new Set(list(options.run));
  for (const name of runManual) if (!plan.jobs.some((j) => j.name === name)) throw new DevpipeError('usage', `--run ${name}: no such job in this pipeline`, { hint: `its jobs: ${plan.jobs.map((j) => j.name).join(', ')}` });
  const order = executionOrder(plan.jobs);
  const rerunSet = rerun ? rerunJobs(order, new Map(rerun.stages.map((s) => [s.stage, s.status])), from) : undefined;

  const secrets = await ciCredentialSource(await ctx.workspace(), options.secrets as string | undefined);
  const docker = await ctx.docker();
  await docker.engine.info();
  const registry = (options.registry as string | undefined) ?? ctx.env.DEVPIPE_CI_REGISTRY;
  const runId = randomRun(startedAt, 'gitlab');
  // The PipelineLib runner's lock and crash sweep: one ci at a time per project.
  const outcome = await ctx.withLock('ci', options.signal as AbortSignal | undefined, async () => {
    const swept = await sweepDeadRuns(docker.containers, path.basename(ctx.projectDir));
    if (swept.length > 0) ctx.bus.emit('message', { level: 'info', text: `removed ${swept.length} container(s) left by an interrupted ci run: ${swept.join(', ')}` });
    return runGitlabPipeline(
    { builder: docker.builder, images: docker.images, containers: docker.containers, imageFiles: docker.imageFiles, secrets, records, files: { read: async (p: string) => (await ctx.workspace()).reader.read(p).catch(() => undefined) }, pusher: registry ? docker.pusher : undefined },
    ctx.bus,
    { plan, pipeline: checkout.pipeline, cliVariables: vars, runId, configFile: gitlabFile, runManual, rerun: rerun && rerunSet ? { record: rerun, run: rerunSet } : undefined },
    {
      projectDir: ctx.projectDir,
      project: path.basename(ctx.projectDir),
      revision: await ctx.revision(),
      keep: options.keep === true,
      pull: options.pull === true,
      registry,
      signal: options.signal as AbortSignal | undefined,
    },
  );
  }, '.devpipe/ci.lock');
  await ctx.finish();
  ctx.bus.emit('result', { command: 'ci', data: outcome.record });
  ctx.print();
  ctx.print(summaryText(outcome.record, outcome.teardown, { command: ctx.options.dir ? `devpipe -C ${ctx.options.dir}` : 'devpipe', unit: 'job' }));
  ctx.print(`record: ${path.relative(ctx.projectDir, records.location(runId)) || records.location(runId)}`);
  if (outcome.exitCode === 130) throw new DevpipeError('interrupted', 'interrupted; teardown ran');
  return outcome.exitCode;
}

function planData(plan: Plan, pipeline: PipelineInput) {
  return {
    pipeline: { ...pipeline, startedAt: pipeline.startedAt.toISOString() },
    created: plan.created,
    reason: plan.reason,
    jobs: plan.jobs.map((j) => ({ name: j.name, stage: j.stage, when: j.when, kind: j.kind, why: j.decision, needs: j.needs, action: j.action, notes: j.notes, error: j.error })),
    skipped: plan.skipped,
    errors: plan.errors,
    warnings: plan.warnings,
  };
}
