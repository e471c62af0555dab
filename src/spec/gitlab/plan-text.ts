/** `devpipe ci --plan` as text: the pipeline, each job that would run and what it does, and why every other job does not. */
import type { KokkuriAction } from './kokkuri.js';
import type { Plan, PlannedJob } from './plan.js';
import type { PipelineInput } from './variables.js';
import { expand } from './variables.js';

export function pipelineTitle(p: PipelineInput): string {
  const ref = p.tag !== undefined ? `tag ${p.tag}` : p.source === 'merge_request_event' ? `merge request ${p.branch ?? '?'} → ${p.targetBranch ?? p.defaultBranch}` : `branch ${p.branch ?? '?'}`;
  return `${p.source} pipeline for ${ref} (${p.protected ? 'protected' : 'not protected'}), default branch ${p.defaultBranch}, project ${p.projectPath}`;
}

export function actionText(action: KokkuriAction): string {
  const parts: string[] = [];
  const variant = `variant ${action.variant} of ${action.blubberFile}`;
  const platforms = action.platforms.length > 0 ? ` for ${action.platforms.join(', ')}` : '';
  switch (action.template) {
    case 'build-image':
      parts.push(`build ${variant}${platforms}`);
      break;
    case 'build-and-run-image':
      parts.push(`build ${variant}${platforms}, run its entrypoint${action.runArguments && action.runArguments.length > 0 ? ` + ${JSON.stringify(action.runArguments)}` : ' (no extra arguments)'}`);
      break;
    case 'build-and-publish-image':
      parts.push(`build ${variant}${platforms}, tag ${action.publish?.refs.join(', ')}`);
      break;
    case 'bake':
      for (const t of action.bake?.targets ?? []) {
        const out = t.output.type === 'registry' ? ` → ${t.refs.join(', ')}` : t.output.type === 'local' ? ` → files in ${t.output.dest}/` : t.output.type === 'other' ? ` (output ${t.output.text} not supported)` : '';
        parts.push(`bake ${t.name} (variant ${t.variant})${out}`);
      }
      break;
  }
  if (action.outputDir) parts.push(`export the image's files to ${action.outputDir}/`);
  if (Object.keys(action.buildArgs).length > 0) parts.push(`build args ${Object.entries(action.buildArgs).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const dotenv = Object.entries(action.dotenv);
  if (dotenv.length > 0) parts.push(`dotenv ${dotenv.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return parts.join('; ');
}

export function jobText(job: PlannedJob): string {
  if (job.error) return `ERROR: ${job.error.message}`;
  if (job.kind === 'kokkuri' && job.action) return `.kokkuri:${job.action.template}: ${actionText(job.action)}`;
  if (job.kind === 'external') return 'external template job: not runnable locally (its script comes from an include devpipe cannot read)';
  const image = job.job.image ? expand(job.job.image.name, (n) => job.variables[n]) : '(none)';
  return `script (${job.job.script.length} line${job.job.script.length === 1 ? '' : 's'}) in image ${image}: runs when the image exists locally`;
}

export function planText(plan: Plan, pipeline: PipelineInput): string {
  const lines = [pipelineTitle(pipeline), plan.reason];
  if (!plan.created) return lines.join('\n');
  lines.push('', `jobs in this pipeline (${plan.jobs.length}):`);
  for (const job of plan.jobs) {
    const when = job.when === 'on_success' ? '' : ` [when: ${job.when}${job.when === 'manual' ? `, run with --run '${job.name}'` : ''}]`;
    lines.push(`  ${job.name}  [stage ${job.stage}]${when}${job.allowFailure ? ' (allowed to fail)' : ''}`);
    lines.push(`      ${jobText(job)}`);
    if (job.needs) lines.push(`      needs: ${job.needs.length > 0 ? job.needs.join(', ') : '(none: starts at once)'}`);
    const reports = Object.entries(job.job.artifacts.reports).filter(([kind]) => kind !== 'dotenv' || job.kind !== 'kokkuri');
    if (reports.length > 0) lines.push(`      reports: ${reports.map(([kind, paths]) => `${paths.join(', ')} (${kind})`).join('; ')}`);
    if (job.job.artifacts.paths.length > 0) lines.push(`      artifacts: ${job.job.artifacts.paths.join(', ')}`);
    lines.push(`      why: ${job.decision}`);
    for (const note of job.notes) lines.push(`      not applicable locally: ${note}`);
    for (const w of job.action?.warnings ?? []) lines.push(`      warning: ${w}`);
  }
  if (plan.skipped.length > 0) {
    lines.push('', `not in this pipeline (${plan.skipped.length}):`);
    for (const s of plan.skipped) lines.push(`  ${s.name}  [stage ${s.stage}]: ${s.reason}`);
  }
  if (plan.jobs.length === 0) lines.push('', 'no job matched: GitLab creates no pipeline for this event');
  if (plan.errors.length > 0) lines.push('', 'errors:', ...plan.errors.map((e) => `  ${e}`));
  if (plan.warnings.length > 0) lines.push('', 'warnings:', ...plan.warnings.map((w) => `  ${w}`));
  return lines.join('\n');
}
