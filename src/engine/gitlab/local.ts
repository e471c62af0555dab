/**
 * `devpipe ci` in GitLab mode (a `.gitlab-ci.yml` built on Kokkuri): read and plan as GitLab
 * would for the pipeline the flags and the checkout describe; with `plan` only, return the
 * decision; otherwise run the jobs holding the ci lock, record the run and tear down. Located spec
 * errors (the file and devpipe's Kokkuri description) exit 2.
 */
import path from 'node:path';
import { DevpipeError } from '../../errors.js';
import { loadGitlabConfig, matchesAny, planPipeline, type GitlabConfig, type PipelineInput, type Plan } from '../../spec/gitlab/index.js';
import { SpecError } from '../../spec/issues.js';
import { sweepDeadRuns } from '../ci/teardown.js';
import type { RunRecord } from '../ci/index.js';
import { CI_LOCK_FILE, type CiHost, type CiRunFlags } from '../ci/host.js';
import { PassedRuns } from '../ci/passed-runs.js';
import { randomRun } from '../ci/run-id.js';
import { ciCredentialSource } from '../project/ci-secrets.js';
import { readSpecFile, reportWarnings } from '../project/spec-files.js';
import { readGitlabCheckout, type CheckoutFlags, type GitlabCheckout } from './checkout.js';
import { executionOrder, PIPELINE_KEY, rerunJobs, runGitlabPipeline, type GitlabOutcome } from './index.js';

export const GITLAB_FILE = '.gitlab-ci.yml';

export interface GitlabRequest extends CiRunFlags {
  /** Only plan (`--plan`): nothing is built. */
  planOnly: boolean;
  checkout: Omit<CheckoutFlags, 'vars' | 'changed'>;
  vars: Record<string, string>;
  changed: string[];
  /** Manual jobs to run too (`--run`). */
  runManual: string[];
}

export type GitlabResult =
  | { kind: 'plan'; plan: Plan; pipeline: PipelineInput }
  | { kind: 'nothing'; reason: string }
  | { kind: 'run'; outcome: GitlabOutcome; recordDir: string };

async function loadConfig(host: CiHost): Promise<GitlabConfig> {
  const { ws } = host;
  const spec = await readSpecFile(ws, GITLAB_FILE, 'GitLab CI file', `devpipe ci reads ${GITLAB_FILE} (or .pipeline/config.yaml) in ${ws.reader.root}`);
  const loaded = loadGitlabConfig({ file: spec.display, text: spec.text, kokkuri: await host.kokkuri(), readLocal: (p) => host.readLocalSync(p) });
  reportWarnings(ws.bus, loaded.warnings);
  if (!loaded.ok) throw new SpecError([...loaded.errors]);
  return loaded.value;
}

function pipelineFrom(record: RunRecord): { pipeline: PipelineInput; vars: Record<string, string> } {
  const raw = record.bindings[PIPELINE_KEY] as (Omit<PipelineInput, 'startedAt'> & { startedAt: string; cliVariables?: Record<string, string> }) | undefined;
  if (!raw || record.pipeline !== 'gitlab-ci') throw new DevpipeError('usage', `run ${record.runId} is not a GitLab CI run`, { hint: 'rerun it with --ci pipelinelib' });
  const { cliVariables, startedAt, ...rest } = raw;
  return { pipeline: { ...rest, startedAt: new Date(startedAt) }, vars: cliVariables ?? {} };
}

export async function runGitlabCi(host: CiHost, request: GitlabRequest): Promise<GitlabResult> {
  const { ws, records } = host;
  if (request.from !== undefined && request.rerun === undefined) throw new DevpipeError('usage', '--from needs --rerun', { hint: `rerun the last run from a job: devpipe ci --rerun --from '${request.from}'` });
  const startedAt = new Date();
  // The checkout first: the repository's files (git ls-files) are what the plan may read.
  let rerun: RunRecord | undefined;
  let vars = request.vars;
  let checkout: GitlabCheckout;
  if (request.rerun !== undefined) {
    const id = typeof request.rerun === 'string' ? request.rerun : undefined;
    rerun = await records.read(id);
    if (!rerun) throw new DevpipeError('usage', id ? `there is no recorded run ${id}` : 'there is no recorded run to rerun', { hint: `runs are recorded in ${records.location()}; run \`devpipe ci\` first` });
    const recorded = pipelineFrom(rerun);
    vars = { ...recorded.vars, ...vars };
    const fresh = await readGitlabCheckout(host.process, ws.reader.root, { vars, changed: request.changed }, startedAt);
    checkout = { ...fresh, pipeline: { ...recorded.pipeline, startedAt: recorded.pipeline.startedAt } };
  } else {
    checkout = await readGitlabCheckout(host.process, ws.reader.root, { ...request.checkout, changed: request.changed, vars }, startedAt);
  }
  const config = await loadConfig(host);
  for (const text of checkout.assumptions) ws.bus.emit('message', { level: 'info', text });
  const plan = planPipeline({ config, pipeline: checkout.pipeline, cliVariables: vars, changes: checkout.changes, exists: (glob) => matchesAny([glob], checkout.files) !== undefined, readFile: (p) => host.readLocalSync(p) });
  for (const warning of plan.warnings) ws.bus.emit('message', { level: 'warn', text: warning });
  if (request.planOnly) return { kind: 'plan', plan, pipeline: checkout.pipeline };
  if (plan.errors.length > 0) throw new DevpipeError('spec', `${plan.errors.length} job(s) cannot be planned`, { details: plan.errors, hint: 'fix the jobs above (devpipe ci --plan shows the whole plan); nothing was built' });
  if (!plan.created || plan.jobs.length === 0) return { kind: 'nothing', reason: plan.created ? `${plan.reason}\nno job matched: GitLab creates no pipeline for this event; nothing to run` : plan.reason };
  const runManual = new Set(request.runManual);
  for (const name of runManual) if (!plan.jobs.some((j) => j.name === name)) throw new DevpipeError('usage', `--run ${name}: no such job in this pipeline`, { hint: `its jobs: ${plan.jobs.map((j) => j.name).join(', ')}` });
  const order = executionOrder(plan.jobs);
  const rerunSet = rerun ? rerunJobs(order, new Map(rerun.stages.map((s) => [s.stage, s.status])), request.from) : undefined;
  const secrets = await ciCredentialSource(ws, request.secretsFile);
  await host.engine.info();
  const runner = await host.runnerPorts(request.registry);
  const runId = randomRun(startedAt, 'gitlab');
  const project = path.basename(ws.reader.root);
  // The PipelineLib runner's lock and crash sweep: one ci at a time per project.
  const outcome = await ws.withLock('ci', request.signal, async () => {
    const swept = await sweepDeadRuns(runner.containers, project);
    if (swept.length > 0) ws.bus.emit('message', { level: 'info', text: `removed ${swept.length} container(s) left by an interrupted ci run: ${swept.join(', ')}` });
    return runGitlabPipeline(
      { ...runner, secrets, records, files: { read: (p: string) => ws.reader.read(p).catch(() => undefined) }, passed: new PassedRuns(host.files) },
      ws.bus,
      { plan, pipeline: checkout.pipeline, cliVariables: vars, runId, configFile: GITLAB_FILE, runManual, rerun: rerun && rerunSet ? { record: rerun, run: rerunSet } : undefined },
      { projectDir: ws.reader.root, project, revision: await host.revision(), keep: request.keep, noCache: request.noCache === true, pull: request.pull, registry: request.registry, images: (await host.settings()).images, signal: request.signal },
    );
  }, CI_LOCK_FILE);
  return { kind: 'run', outcome, recordDir: records.location(runId) };
}
