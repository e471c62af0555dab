/**
 * Which jobs a pipeline contains, as GitLab would decide (kokkuri.md §2.1 steps 5–8): workflow
 * rules with pipeline-level variables, `parallel:matrix` instances, each instance's rules with its
 * own variables, `needs` checked against the jobs that survive, and for each Kokkuri job what it
 * does locally. Pure: git facts, changed files and file reads come in through PlanInput.
 */
import { bareVariables, parse, substringMatches } from './expr.js';
import { KokkuriError, kokkuriAction, type KokkuriAction } from './kokkuri.js';
import { evaluateRules, type Changes } from './rules.js';
import type { GitlabConfig, Job, When } from './types.js';
import { expand, jobVariables, runtimeValues, predefinedVariables, resolveVariables, type PipelineInput } from './variables.js';

export interface PlanInput {
  config: GitlabConfig;
  pipeline: PipelineInput;
  /** `--var K=V`: above every variable of the file. */
  cliVariables: Record<string, string>;
  changes: Changes;
  exists: (glob: string) => boolean;
  readFile: (path: string) => string | undefined;
}

export type JobKind = 'kokkuri' | 'script' | 'external';

export interface PlannedJob {
  name: string;
  /** The job as written (matrix instances share it). */
  base: string;
  job: Job;
  stage: string;
  stageIndex: number;
  when: When;
  allowFailure: boolean;
  /** Why it is in the pipeline. */
  decision: string;
  id: number;
  /** Every variable the job sees before dotenv (predefined, job-only, file, matrix, rule, --var), expanded. */
  variables: Record<string, string>;
  /** The names that are the job's own (file, matrix, rule, --var): its container environment. */
  own: string[];
  matrix?: Record<string, string> | undefined;
  /** Concrete job names this one needs (undefined: stage order). */
  needs?: string[] | undefined;
  /** Concrete job names whose artifacts/dotenv it receives (undefined: every earlier stage). */
  dependencies?: string[] | undefined;
  kind: JobKind;
  action?: KokkuriAction | undefined;
  error?: { message: string; hint?: string | undefined } | undefined;
  notes: string[];
}

export interface SkippedJob {
  name: string;
  stage: string;
  reason: string;
}

export interface Plan {
  created: boolean;
  /** Why there is (or is no) pipeline. */
  reason: string;
  jobs: PlannedJob[];
  skipped: SkippedJob[];
  errors: string[];
  warnings: string[];
  /** Pipeline-level variables (predefined, top-level, workflow rule, --var). */
  variables: Record<string, string>;
}

interface Instance {
  name: string;
  matrix?: Record<string, string> | undefined;
  index: number;
  total: number;
}

/** `job: [v1, v2]` per matrix combination (values in key order); `job i/N` for `parallel: N`. */
export function instancesOf(job: Job): Instance[] {
  if (job.parallel !== undefined) return Array.from({ length: job.parallel }, (_, i) => ({ name: `${job.name} ${i + 1}/${job.parallel}`, index: i + 1, total: job.parallel! }));
  if (!job.matrix) return [{ name: job.name, index: 1, total: 1 }];
  const combos: Record<string, string>[] = [];
  for (const entry of job.matrix) {
    let rows: Record<string, string>[] = [{}];
    for (const [key, values] of Object.entries(entry)) rows = rows.flatMap((row) => values.map((value) => ({ ...row, [key]: value })));
    combos.push(...rows);
  }
  return combos.map((matrix, i) => ({ name: `${job.name}: [${Object.values(matrix).join(', ')}]`, matrix, index: i + 1, total: combos.length }));
}

function lintWarnings(config: GitlabConfig): string[] {
  const warnings = new Set<string>();
  const ifs = [...(config.workflow ?? []), ...config.jobs.flatMap((j) => j.rules ?? [])].map((r) => r.if).filter((x): x is string => x !== undefined);
  for (const text of ifs) {
    const tree = parse(text);
    if (bareVariables(tree).includes('CI_COMMIT_REF_PROTECTED')) warnings.add('`$CI_COMMIT_REF_PROTECTED` tested bare is always true (it is "false", a non-empty string, on unprotected refs); GitLab does the same, so devpipe does too. Write `$CI_COMMIT_REF_PROTECTED == "true"`.');
    if (substringMatches(tree)) warnings.add(`\`${text}\`: =~ against a string (not a /regex/) is a substring test GitLab documents as unintended`);
  }
  return [...warnings];
}

export function planPipeline(input: PlanInput): Plan {
  const { config } = input;
  const predefined = predefinedVariables(input.pipeline);
  const pipelineVars = resolveVariables([predefined, config.variables, input.cliVariables], config.raw);
  const warnings = lintWarnings(config);
  const base = { lookup: (n: string) => pipelineVars[n], changes: input.changes, exists: input.exists };
  let workflowVars: Record<string, string> = {};
  let reason = 'no workflow:rules: every pipeline is created';
  if (config.workflow) {
    const outcome = evaluateRules(config.workflow, base, 'workflow');
    if (!outcome.matched || outcome.when === 'never') {
      const text = outcome.matched ? `${outcome.text}: when: never` : outcome.text;
      return { created: false, reason: `no pipeline: ${text}`, jobs: [], skipped: [], errors: [], warnings, variables: pipelineVars };
    }
    workflowVars = outcome.rule.variables;
    reason = `pipeline created: ${outcome.text}`;
  }
  const jobs: PlannedJob[] = [];
  const skipped: SkippedJob[] = [];
  let ordinal = 0;
  for (const job of config.jobs) {
    for (const instance of instancesOf(job)) {
      ordinal++;
      const stageIndex = config.stages.indexOf(job.stage);
      const matrix = instance.matrix ?? {};
      const layers = [predefined, config.variables, workflowVars, job.variables, matrix];
      const raw = new Set([...config.raw, ...job.raw]);
      const ruleVars = resolveVariables([...layers, input.cliVariables], raw);
      let when: When = job.when;
      let allowFailure = job.allowFailure;
      let decision: string;
      let extra: Record<string, string> = {};
      if (job.rules) {
        const outcome = evaluateRules(job.rules, { ...base, lookup: (n) => ruleVars[n] }, 'job');
        if (!outcome.matched) {
          skipped.push({ name: instance.name, stage: job.stage, reason: outcome.text });
          continue;
        }
        if (outcome.when === 'never') {
          skipped.push({ name: instance.name, stage: job.stage, reason: `${outcome.text}: when: never` });
          continue;
        }
        when = outcome.when;
        if (outcome.rule.allowFailure !== undefined) allowFailure = outcome.rule.allowFailure;
        else if (when === 'manual') allowFailure = false;
        extra = outcome.rule.variables;
        decision = outcome.text;
      } else if (input.pipeline.source === 'merge_request_event') {
        skipped.push({ name: instance.name, stage: job.stage, reason: 'no rules: GitLab adds a job without rules only to branch and tag pipelines, not to merge request pipelines' });
        continue;
      } else if (when === 'never') {
        skipped.push({ name: instance.name, stage: job.stage, reason: 'when: never' });
        continue;
      } else decision = 'no rules: part of every branch and tag pipeline';
      const id = input.pipeline.pipelineId * 1000 + ordinal;
      const jobOnly = jobVariables(input.pipeline, { name: instance.name, stage: job.stage, id, nodeIndex: instance.index, nodeTotal: instance.total });
      const variables = resolveVariables([predefined, jobOnly, config.variables, workflowVars, job.variables, matrix, extra, input.cliVariables], raw);
      const own = [...new Set([...Object.keys(config.variables), ...Object.keys(workflowVars), ...Object.keys(job.variables), ...Object.keys(matrix), ...Object.keys(extra), ...Object.keys(input.cliVariables)])];
      const planned: PlannedJob = {
        name: instance.name,
        base: job.name,
        job,
        stage: job.stage,
        stageIndex,
        when,
        allowFailure,
        decision,
        id,
        variables,
        own,
        matrix: instance.matrix,
        kind: job.kokkuri ? 'kokkuri' : job.script.length > 0 ? 'script' : 'external',
        notes: [],
      };
      describe(planned, input);
      jobs.push(planned);
    }
  }
  const errors = linkNeeds(jobs);
  for (const job of jobs) if (job.error) errors.push(`job \`${job.name}\`: ${job.error.message}${job.error.hint ? ` (hint: ${job.error.hint})` : ''}`);
  return { created: true, reason, jobs, skipped, errors, warnings, variables: { ...pipelineVars, ...workflowVars } };
}

function describe(planned: PlannedJob, input: PlanInput): void {
  const { job } = planned;
  if (job.external.length > 0) planned.notes.push(`extends ${job.external.join(', ')} from an include devpipe cannot read (${input.config.includes.filter((i) => i.kind === 'external').map((i) => i.text).join('; ')}); its keys are unknown`);
  if (planned.kind === 'kokkuri') {
    try {
      planned.action = kokkuriAction({ jobName: planned.name, template: job.kokkuri!, vars: runtimeValues(planned.variables), tags: job.tags, readFile: input.readFile });
      planned.notes.push(...planned.action.notApplicable);
    } catch (error) {
      if (!(error instanceof KokkuriError)) throw error;
      planned.error = { message: `.kokkuri:${job.kokkuri}: ${error.message}`, hint: error.hint };
    }
  } else if (planned.kind === 'script') {
    if (job.tags.includes('trusted')) planned.notes.push('needs a `trusted` runner upstream (tags: [trusted])');
  }
  if (job.services.length > 0) planned.notes.push(`services (${job.services.join(', ')}) are not started locally`);
  if (job.environment) planned.notes.push(`environment \`${job.environment}\`: deployment tracking is not applicable locally`);
  if (job.coverage) planned.notes.push('coverage: regex not applied locally');
  const image = job.image ? expand(job.image.name, (n) => planned.variables[n]) : undefined;
  if (planned.kind === 'script' && !image) planned.notes.push('no image: (GitLab would use the runner default)');
}

function linkNeeds(jobs: PlannedJob[]): string[] {
  const errors: string[] = [];
  const resolve = (wanted: string) => jobs.filter((j) => j.name === wanted || j.base === wanted).map((j) => j.name);
  for (const job of jobs) {
    const link = (names: readonly { job: string; optional: boolean }[] | undefined, key: string): string[] | undefined => {
      if (!names) return undefined;
      const out: string[] = [];
      for (const need of names) {
        const found = resolve(need.job);
        if (found.length === 0 && !need.optional) errors.push(`job \`${job.name}\`: ${key} \`${need.job}\`, which is not in this pipeline (GitLab rejects such a pipeline; mark it optional: true if that is expected)`);
        out.push(...found);
      }
      return out;
    };
    job.needs = link(job.job.needs, 'needs');
    job.dependencies = job.job.dependencies ? link(job.job.dependencies.map((d) => ({ job: d, optional: false })), 'dependencies') : job.job.needs ? job.needs?.filter((n) => job.job.needs!.find((x) => (x.job === n || jobs.find((j) => j.name === n)?.base === x.job) && x.artifacts)) : undefined;
  }
  return errors;
}
