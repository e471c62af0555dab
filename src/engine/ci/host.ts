/**
 * What a local `ci` run (PipelineLib or GitLab) needs from this machine, built by the
 * composition root: the workspace, the run records, git, the engine's ports for the runner, the
 * liveness of earlier runs' owners.
 */
import type { Engine, ImageFiles, ProcessRunner, ProjectFiles } from '../../ports.js';
import type { UserSettings } from '../../spec/settings/index.js';
import type { Workspace } from '../project/workspace.js';
import type { CiPorts, RunRecords } from './ports.js';
import type { RunOwner } from './sweep.js';

export interface CiHost {
  ws: Workspace;
  records: RunRecords;
  /** devpipe's own files in the project (`.devpipe/cache/`: recorded passes). */
  files: Pick<ProjectFiles, 'read' | 'write'>;
  process: ProcessRunner;
  engine: Engine;
  /** The runner's engine ports; `pusher` only with a registry, `kube` only on the kube target. */
  runnerPorts(registry: string | undefined): Promise<Omit<CiPorts, 'secrets' | 'records' | 'files'> & { imageFiles: ImageFiles }>;
  revision(): Promise<string>;
  owner: RunOwner;
  /** Removes the leftovers of dead runs of the project (PipelineLib: owner-aware; best effort). */
  sweepDeadRuns(project: string): Promise<void>;
  /** Resolves (and says) what builds trust: the CA bundle, proxies, package indexes. */
  hostTrust(): Promise<unknown>;
  settings(): Promise<UserSettings>;
  /**
   * A file inside the repository, read at once (GitLab's `include: local` and bake files are read
   * while planning, which is synchronous); undefined when missing or outside it.
   */
  readLocalSync(relative: string): string | undefined;
  /** devpipe's Kokkuri description (templates/gitlab/kokkuri.yaml). */
  kokkuri(): Promise<{ file: string; text: string }>;
}

/** What both kinds of local ci take from the command line, beside their own options. */
export interface CiRunFlags {
  /** `--rerun [id]`: true = the last run. */
  rerun?: string | true | undefined;
  /** `--from STAGE` (GitLab: a job). */
  from?: string | undefined;
  /** `--secrets FILE`: fake credential values. */
  secretsFile?: string | undefined;
  /** `--keep`: no teardown. */
  keep: boolean;
  /** `--no-cache`: build every image from scratch and run every run step (no recorded passes). */
  noCache?: boolean | undefined;
  /** `--pull`. */
  pull: boolean;
  /** `--registry HOST` (or DEVPIPE_CI_REGISTRY). */
  registry?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** The lock file of `ci` (its own: `up` may run beside it). */
export const CI_LOCK_FILE = '.devpipe/ci.lock';
