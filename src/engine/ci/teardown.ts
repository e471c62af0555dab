/**
 * Teardown (reference §3.4), always run, also after a failure or Ctrl-C; each item best-effort.
 * 1. Every container of the run: the ones it named and any labelled `devpipe.run=<id>`.
 * 2. Images: after a passing run, the run's `localhost/plib-image-*` names are removed; the images
 *    themselves stay under their content-addressed tags (`<project>:<variant>-<hash>`) as build
 *    cache, so a rerun of the same inputs builds nothing (`devpipe prune` removes old ones).
 *    An image is never removed by ID: that would take tags `devpipe build` (or the user) put on the
 *    same image with it. Published tags stay (the local image store stands in for the registry).
 *    After a failed or interrupted run everything stays, so that `devpipe ci --rerun` reuses it.
 * `--keep` keeps everything.
 */
import type { CiPorts } from './ports.js';
import type { ContainerRunner } from '../../ports.js';
import type { RunState } from './state.js';
import { LABEL_PROJECT, LABEL_RUN, LABEL_STAGE } from '../labels.js';

/** What teardown needs of a run (PipelineLib's and GitLab's runners alike). */
export type TeardownState = Pick<RunState, 'runId' | 'record'> & { options: Pick<RunState['options'], 'keep'>; ports: Pick<CiPorts, 'containers' | 'images' | 'kube'> };

export interface TeardownReport {
  containersRemoved: number;
  imagesRemoved: number;
  imagesKept: string[];
  /** Images the run built, kept under their content-addressed tags as build cache. */
  imagesCached: string[];
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
  const report: TeardownReport = { containersRemoved: 0, imagesRemoved: 0, imagesKept: [], imagesCached: [], kept: false, problems: [] };
  const { containers, images } = state.ports;
  const record = state.record;
  if (state.options.keep) {
    report.kept = true;
    report.imagesKept = [...record.ownedImages];
    return report;
  }
  const names = new Set(record.containers);
  await attempt(report.problems, 'listing containers', async () => {
    for (const c of await containers.list({ [LABEL_RUN]: state.runId })) names.add(c.name || c.id);
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
  for (const id of record.ownedImages) (published.has(id) ? report.imagesKept : report.imagesCached).push(id);
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
  for (const c of await containers.list({ [LABEL_PROJECT]: project, [LABEL_RUN]: '' })) {
    if (c.labels[LABEL_STAGE] === undefined || c.labels[LABEL_RUN] === currentRun) continue;
    await containers.remove(c.id);
    removed.push(c.name || c.id);
  }
  return removed;
}
