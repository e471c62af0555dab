/**
 * Pure decisions of the GitLab runner (kokkuri.md §2.9, §2.11): the order jobs run in (stages,
 * then file order, with `needs` honoured), which earlier jobs a job waits on and receives dotenv
 * values from, whether it runs after a failure, and which jobs a `--rerun` executes again.
 */
import { DevpipeError } from '../../errors.js';
import type { PlannedJob } from '../../spec/gitlab/index.js';

/** Stage order, file order inside a stage; a job never runs before a job it needs. */
export function executionOrder(jobs: readonly PlannedJob[]): PlannedJob[] {
  const sorted = [...jobs].sort((a, b) => a.stageIndex - b.stageIndex || a.job.order - b.job.order);
  const out: PlannedJob[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (job: PlannedJob) => {
    if (placed.has(job.name) || visiting.has(job.name)) return;
    visiting.add(job.name);
    for (const need of job.needs ?? []) {
      const dep = sorted.find((j) => j.name === need);
      if (dep) place(dep);
    }
    visiting.delete(job.name);
    placed.add(job.name);
    out.push(job);
  };
  for (const job of sorted) place(job);
  return out;
}

/** The jobs a job waits for: its `needs`, or every job of the earlier stages. */
export function predecessors(job: PlannedJob, jobs: readonly PlannedJob[]): string[] {
  if (job.needs) return job.needs;
  return jobs.filter((j) => j.stageIndex < job.stageIndex).map((j) => j.name);
}

/** The jobs whose dotenv reports a job receives: `dependencies`, `needs`, or every earlier stage. */
export function dotenvSources(job: PlannedJob, jobs: readonly PlannedJob[]): string[] {
  if (job.dependencies) return job.dependencies;
  return predecessors(job, jobs);
}

export type Outcome = 'passed' | 'failed' | 'allowed-failure' | 'skipped' | 'not-run' | 'incomplete';

/** `on_success` runs only when no predecessor failed (or was skipped for one); `always` runs anyway. */
export function blockedBy(job: PlannedJob, jobs: readonly PlannedJob[], outcomes: ReadonlyMap<string, Outcome>): string | undefined {
  if (job.when === 'always') return undefined;
  const bad = predecessors(job, jobs).filter((name) => outcomes.get(name) === 'failed' || outcomes.get(name) === 'skipped');
  if (job.when === 'on_failure') return bad.length > 0 ? undefined : 'when: on_failure and nothing failed';
  return bad.length > 0 ? `not run: ${bad.map((b) => `\`${b}\``).join(', ')} failed or was skipped` : undefined;
}

/** A rerun executes `from` (or the first job that did not pass) and everything after it in order. */
export function rerunJobs(order: readonly PlannedJob[], recorded: ReadonlyMap<string, string>, from?: string): Set<string> {
  const names = order.map((j) => j.name);
  let start: number;
  if (from !== undefined) {
    start = names.indexOf(from);
    if (start < 0) throw new DevpipeError('usage', `--from ${from}: the pipeline has no job \`${from}\``, { hint: `its jobs: ${names.join(', ')}` });
  } else {
    start = names.findIndex((n) => recorded.get(n) !== 'passed' && recorded.get(n) !== 'reused');
    if (start < 0) throw new DevpipeError('usage', 'every job of the recorded run passed; there is nothing to rerun', { hint: `name a job to run again: --from '${names[0] ?? 'JOB'}'` });
  }
  return new Set(names.slice(start));
}
