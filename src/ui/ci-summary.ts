/**
 * The end-of-run summary: one row per stage (result, duration, image ID, published refs,
 * exports), the image tags on their own lines where nobody can miss them, what was not run
 * locally, and the exact rerun command after a failure. Pure text; the CLI prints it.
 */
import { formatDuration, table } from './format.js';
import { graphDot, graphText, type Pipeline } from '../spec/pipeline/index.js';
import type { PipelineInput, Plan } from '../spec/gitlab/index.js';
import type { RunRecord, StageResult } from '../engine/ci/record.js';
import { rerunCommand } from '../engine/ci/record.js';
import type { TeardownReport } from '../engine/ci/teardown.js';

const resultText: Record<StageResult['status'], string> = {
  passed: 'passed',
  failed: 'FAILED',
  incomplete: 'INCOMPLETE (not verified locally)',
  interrupted: 'INTERRUPTED',
  'not-run': 'not run',
  reused: 'reused',
};

function exportsText(values: Record<string, unknown>): string {
  const parts = Object.entries(values).map(([k, v]) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    const flat = text.replace(/\n/g, '\\n');
    return `${k}=${flat.length > 40 ? `${flat.slice(0, 37)}...` : flat}`;
  });
  return parts.join(' ') || '-';
}

export function summaryRows(record: RunRecord): string[][] {
  return record.stages.map((s) => [
    s.stage,
    s.cached ? 'passed (cached)' : resultText[s.status],
    s.status === 'not-run' ? '-' : formatDuration(s.durationMs),
    s.imageId ? s.imageId.slice(0, 12) : '-',
    s.published.length > 0 ? s.published.join(', ') : '-',
    exportsText(s.exports),
  ]);
}

const verdicts: Record<RunRecord['status'], string> = {
  passed: 'PASSED',
  failed: 'FAILED',
  incomplete: 'INCOMPLETE: every stage that ran passed, but some steps need infrastructure devpipe does not have (not a success)',
  interrupted: 'INTERRUPTED',
  running: 'RUNNING',
  aborted: 'ABORTED: the devpipe process running it died; its containers were swept',
};

export interface SummaryOptions {
  /** How to invoke devpipe for the rerun hint (`devpipe -C dir`). */
  command?: string;
  /** What a row is: `stage` (PipelineLib) or `job` (GitLab CI). */
  unit?: 'stage' | 'job';
}

export function summaryText(record: RunRecord, report: TeardownReport | undefined, options: SummaryOptions = {}): string {
  const lines: string[] = [];
  lines.push(`pipeline ${record.pipeline}, run ${record.runId}${record.rerunOf ? ` (rerun of ${record.rerunOf})` : ''}, mode ${record.mode}: ${verdicts[record.status]}`);
  lines.push('');
  const unit = options.unit ?? 'stage';
  lines.push(table(summaryRows(record), [unit, 'result', 'duration', 'image ID', 'published', 'exports']));
  const cachedRuns = record.stages.filter((s) => s.cached);
  if (cachedRuns.length > 0) {
    const names = cachedRuns.map((s) => s.stage).join(', ');
    lines.push('', `cached: ${names} passed before with the same image, command and environment, so ${cachedRuns.length === 1 ? 'it was' : 'they were'} not run again (${options.command ?? 'devpipe'} ci --no-cache runs everything)`);
  }
  const images = record.stages.filter((s) => s.imageId && s.status !== 'not-run');
  if (images.length > 0) {
    lines.push('', 'images:');
    for (const s of images) {
      const local = record.bindings[s.stage]?.imageLocalName;
      lines.push(`  ${s.stage}: ${s.imageId}${typeof local === 'string' && record.localTags.length > 0 ? `  (${local})` : ''}`);
      for (const ref of s.published) lines.push(`    published as ${ref}`);
    }
  }
  const exported = record.stages.filter((s) => Object.keys(s.exports).length > 0 && s.status !== 'not-run');
  if (exported.length > 0) {
    lines.push('', 'exports:');
    for (const s of exported) for (const [k, v] of Object.entries(s.exports)) lines.push(`  ${s.stage}.${k} = ${typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v)}`);
  }
  const published = record.stages.flatMap((s) => s.published);
  if (published.length > 0) lines.push('', 'The local image store stands in for the registry: published tags stay after teardown; nothing was pushed unless a registry was configured.');
  const notRun = record.stages.flatMap((s) => s.steps.filter((step) => step.status === 'not-run-locally').map((step) => `  ${s.stage}: ${step.step}: ${step.detail ?? ''}`));
  if (notRun.length > 0) lines.push('', 'not run locally (what CI would have done):', ...notRun);
  const errors = record.stages.filter((s) => s.error);
  if (errors.length > 0) {
    lines.push('', 'errors:');
    for (const s of errors) lines.push(`  ${s.stage}: ${(s.error ?? '').split('\n').join('\n    ')}`);
  }
  if (report) {
    if (report.kept) lines.push('', `--keep: containers and images were kept; remove them with: docker rm -f $(docker ps -aq --filter label=devpipe.run=${record.runId})`);
    else {
      const kept = report.imagesKept.length > 0 ? `; ${report.imagesKept.length} image(s) kept${record.status === 'passed' || record.status === 'incomplete' ? ' (published)' : ' for --rerun'}` : '';
      const cached = report.imagesCached.length > 0 ? `; ${report.imagesCached.length} image(s) kept as build cache under their content-addressed tags (a rerun of the same inputs reuses them; devpipe prune removes old ones)` : '';
      lines.push('', `teardown: ${report.containersRemoved} container(s) and ${report.imagesRemoved} image(s) removed${kept}${cached}`);
    }
    for (const problem of report.problems) lines.push(`  teardown problem: ${problem}`);
  }
  const rerun = rerunCommand(record, options.command);
  if (rerun) lines.push('', `rerun the failed ${unit}: ${rerun}`);
  return lines.join('\n');
}

/** `ci --graph`: a pipeline's frames (text) and/or its Graphviz DOT. */
export function ciGraph(pipeline: Pipeline, format: 'text' | 'dot' | 'both'): { lines: string[]; data: unknown } {
  const lines: string[] = [];
  if (format !== 'dot') lines.push(`pipeline ${pipeline.name}:`, graphText(pipeline), '');
  if (format !== 'text') lines.push(graphDot(pipeline), '');
  return { lines, data: { pipeline: pipeline.name, frames: graphText(pipeline), dot: graphDot(pipeline) } };
}

/** `ci --plan` (GitLab) as data for --json. */
export function gitlabPlanData(plan: Plan, pipeline: PipelineInput) {
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
