/**
 * Teardown (reference §3.4), always run, also after a failure or Ctrl-C; each item best-effort.
 * 1. Every container of the run: the ones it named and any labelled `devpipe.run=<id>`.
 * 2. Images: after a passing run, every image the run (or the run it reruns) built and did not
 *    publish, and its `localhost/plib-image-*` tags; published tags stay (the local image store
 *    stands in for the registry). After a failed or interrupted run the images stay, so that
 *    `devpipe ci --rerun` can reuse them. Images that existed before the run (content-addressed
 *    cache hits) are never removed.
 * `--keep` keeps everything.
 */
import type { CiPorts } from './ports.js';
import type { ContainerRunner } from '../../ports.js';
import type { RunState } from './state.js';

/** What teardown needs of a run (PipelineLib's and GitLab's runners alike). */
export type TeardownState = Pick<RunState, 'runId' | 'record'> & { options: Pick<RunState['options'], 'keep'>; ports: Pick<CiPorts, 'containers' | 'images' | 'kube'> };

export interface TeardownReport {
  containersRemoved: number;
  imagesRemoved: number;
  imagesKept: string[];
  kept: boolean;
  problems: string[];
}

async function attempt(problems: string[], what: string, action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    problems.push(`${what}: ${(error as Error).message}`);
    return false;
  }
}

export async function teardown(state: TeardownState, passed: boolean): Promise<TeardownReport> {
  const report: TeardownReport = { containersRemoved: 0, imagesRemoved: 0, imagesKept: [], kept: false, problems: [] };
  const { containers, images } = state.ports;
  const record = state.record;
  if (state.options.keep) {
    report.kept = true;
    report.imagesKept = [...record.ownedImages];
    return report;
  }
  const names = new Set(record.containers);
  await attempt(report.problems, 'listing containers', async () => {
    for (const c of await containers.list({ 'devpipe.run': state.runId })) names.add(c.name || c.id);
  });
  for (const name of names) if (await attempt(report.problems, `removing container ${name}`, () => containers.remove(name))) report.containersRemoved++;
  record.containers = [];
  // 3. (reference §3.4) every Helm release of the run, as CI uninstalls them.
  for (const release of record.releases ?? []) await attempt(report.problems, `uninstalling release ${release}`, () => state.ports.kube?.undeploy(release) ?? Promise.resolve());
  record.releases = [];

  if (!passed) {
    report.imagesKept = [...record.ownedImages];
    return report;
  }
  for (const tag of record.localTags) await attempt(report.problems, `untagging ${tag}`, () => images.remove(tag));
  record.localTags = [];
  const published = new Set(record.publishedImages);
  // Later images may use earlier ones as a base: remove the newest first.
  for (const id of [...record.ownedImages].reverse()) {
    if (published.has(id)) {
      report.imagesKept.push(id);
      continue;
    }
    if (await attempt(report.problems, `removing image ${id.slice(0, 12)}`, () => images.remove(`sha256:${id}`, { force: true }))) report.imagesRemoved++;
  }
  record.ownedImages = record.ownedImages.filter((id) => published.has(id));
  return report;
}

/**
 * Containers of earlier runs of this project that nobody tears down any more: a `ci` killed
 * (SIGKILL, a lost engine) before its teardown. Called while holding the project's ci lock, so
 * no other run of the project is live. Returns the names removed.
 */
export async function sweepDeadRuns(containers: Pick<ContainerRunner, 'list' | 'remove'>, project: string, currentRun?: string): Promise<string[]> {
  const removed: string[] = [];
  for (const c of await containers.list({ 'devpipe.project': project, 'devpipe.run': '' })) {
    if (c.labels['devpipe.stage'] === undefined || c.labels['devpipe.run'] === currentRun) continue;
    await containers.remove(c.id);
    removed.push(c.name || c.id);
  }
  return removed;
}
