/**
 * `devpipe ci [pipeline...]`: run `.pipeline/config.yaml` locally with PipelineLib's semantics
 * (engine/ci/local.ts), or the Kokkuri jobs of a `.gitlab-ci.yml` (engine/gitlab/local.ts); each
 * run ends with its summary table and, after a failure, the exact rerun command. `--graph` and
 * `--plan` need no engine.
 */
import path from 'node:path';
import { chooseCi } from '../../engine/ci/choose.js';
import { planLocalCi, runLocalCi } from '../../engine/ci/local.js';
import { keyValues } from '../../engine/project/spec-files.js';
import { DevpipeError } from '../../errors.js';
import { ciGraph, gitlabPlanData, summaryText } from '../../ui/ci-summary.js';
import { planText } from '../../spec/gitlab/index.js';
import type { Context } from '../context.js';

export interface CiOptions {
  ci?: 'gitlab' | 'pipelinelib';
  mode?: string;
  param?: string[];
  rerun?: string | boolean;
  from?: string;
  graph?: string | boolean;
  keep?: boolean;
  /** `--no-cache` (commander: cache false). */
  cache?: boolean;
  pull?: boolean;
  secrets?: string;
  registry?: string;
  // GitLab
  plan?: boolean;
  source?: string;
  branch?: string;
  tag?: string;
  targetBranch?: string;
  defaultBranch?: string;
  protected?: boolean;
  var?: string[];
  projectPath?: string;
  changed?: string[];
  changesFrom?: string;
  run?: string[];
  signal?: AbortSignal;
}

const graphFormats = ['text', 'dot'] as const;

/** `--graph [format]`: commander reads `--graph publish` as the format; a value that is not one is the pipeline meant. */
function graphOption(value: unknown, requested: string[]): 'text' | 'dot' | 'both' | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return 'both';
  const text = String(value);
  if ((graphFormats as readonly string[]).includes(text)) return text as 'text' | 'dot';
  requested.unshift(text);
  return 'both';
}

export async function run(ctx: Context, args: unknown[], options: CiOptions): Promise<number> {
  // The host's adapters load beside the workspace and the reporter (module loading is most of a
  // cached run's time); its failure surfaces where it is awaited.
  const hostLoad = ctx.ciHost();
  hostLoad.catch(() => undefined);
  const ws = await ctx.workspace();
  const ci = await chooseCi(ws.reader, options);
  const invocation = ctx.options.dir ? `devpipe -C ${ctx.options.dir}` : 'devpipe';
  const common = { secretsFile: options.secrets, keep: options.keep === true, noCache: options.cache === false, pull: options.pull === true, registry: options.registry ?? ctx.env.DEVPIPE_CI_REGISTRY, signal: options.signal };
  const rerun = options.rerun === true ? true : typeof options.rerun === 'string' ? options.rerun : undefined;
  // Attached first, so the spec's warnings are shown even when the run stops before the engine.
  await ctx.reporter();
  const host = await hostLoad;
  if (ci.kind === 'gitlab') {
    const { runGitlabCi } = await import('../../engine/gitlab/local.js');
    const list = (value: string[] | undefined) => value ?? [];
    const result = await runGitlabCi(host, {
      ...common,
      planOnly: options.plan === true,
      checkout: { source: options.source, branch: options.branch, tag: options.tag, targetBranch: options.targetBranch, defaultBranch: options.defaultBranch, protected: options.protected, projectPath: options.projectPath, changesFrom: options.changesFrom },
      vars: keyValues(options.var),
      changed: list(options.changed),
      runManual: list(options.run),
      rerun,
      from: options.from,
    });
    if (result.kind === 'plan') {
      ctx.bus.emit('result', { command: 'ci --plan', data: gitlabPlanData(result.plan, result.pipeline) });
      await ctx.finish();
      ctx.print(planText(result.plan, result.pipeline));
      if (result.plan.errors.length > 0) throw new DevpipeError('spec', `${result.plan.errors.length} job(s) cannot be planned`, { details: result.plan.errors, hint: 'fix the jobs above; nothing was built' });
      return 0;
    }
    if (result.kind === 'nothing') {
      ctx.print(result.reason);
      return 0;
    }
    await ctx.finish();
    ctx.bus.emit('result', { command: 'ci', data: result.outcome.record });
    ctx.print();
    ctx.print(summaryText(result.outcome.record, result.outcome.teardown, { command: invocation, unit: 'job' }));
    ctx.print(`record: ${path.relative(ctx.projectDir, result.recordDir) || result.recordDir}`);
    if (result.outcome.exitCode === 130) throw new DevpipeError('interrupted', 'interrupted; teardown ran');
    return result.outcome.exitCode;
  }
  if (ci.note) ctx.bus.emit('message', { level: 'info', text: ci.note });
  const requested = [...((args[0] as string[] | undefined) ?? [])];
  const graph = graphOption(options.graph, requested);
  if (graph) {
    for (const pipeline of await planLocalCi(host, { requested })) {
      const shown = ciGraph(pipeline, graph);
      for (const line of shown.lines) ctx.print(line);
      ctx.bus.emit('result', { command: 'ci --graph', data: shown.data });
    }
    return 0;
  }
  return runLocalCi(host, { ...common, requested, graph: false, rerun, from: options.from, mode: String(options.mode ?? 'test'), params: keyValues(options.param) }, async (outcome, recordDir) => {
    await ctx.finish();
    ctx.bus.emit('result', { command: 'ci', data: outcome.record });
    ctx.print();
    ctx.print(summaryText(outcome.record, outcome.teardown, { command: invocation }));
    ctx.print(`record: ${path.relative(ctx.projectDir, recordDir) || recordDir}`);
  });
}
