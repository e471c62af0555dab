/** The ports and the state one GitLab CI run shares between its jobs and teardown. */
import type { ContainerRunner, ImageBuilder, ImageFiles, ImagePusher, ImageStore } from '../../ports.js';
import type { Plan, PipelineInput } from '../../spec/gitlab/index.js';
import type { CiPorts, RepoFiles, RunRecord, RunRecords, CredentialSource } from '../ci/index.js';
import type { EventBus } from '../events.js';
import { LABEL_JOB, LABEL_MANAGED_BY, LABEL_PIPELINE, LABEL_PROJECT, LABEL_RUN, MANAGED_BY } from '../labels.js';

export interface GitlabPorts {
  builder: ImageBuilder;
  images: ImageStore;
  containers: ContainerRunner;
  imageFiles: ImageFiles;
  secrets: CredentialSource;
  records: RunRecords;
  files: RepoFiles;
  /** Present only when the user asked for a registry (--registry). */
  pusher?: ImagePusher | undefined;
  /** Run steps that passed before, by their inputs (absent: every run runs). */
  passed?: CiPorts['passed'];
}

export interface GitlabRunOptions {
  /** Absolute repository root. */
  projectDir: string;
  /** `devpipe.project` label value. */
  project: string;
  revision: string;
  keep?: boolean;
  /** Build every image from scratch and run every Kokkuri run (no recorded passes). */
  noCache?: boolean;
  pull?: boolean;
  registry?: string | undefined;
  /** Base image aliases (user settings `images:`): a base or a job image is replaced by its local stand-in. */
  images?: Readonly<Record<string, string>> | undefined;
  signal?: AbortSignal | undefined;
  /** GitLab's default job timeout is one hour. */
  runTimeoutMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface GitlabRun {
  plan: Plan;
  pipeline: PipelineInput;
  cliVariables: Record<string, string>;
  runId: string;
  configFile: string;
  /** Manual jobs the user asked to run (`--run JOB`). */
  runManual: ReadonlySet<string>;
  rerun?: { record: RunRecord; run: ReadonlySet<string> } | undefined;
}

export interface GitlabState {
  runId: string;
  ports: GitlabPorts;
  bus: EventBus;
  options: GitlabRunOptions;
  record: RunRecord;
  /** Secret values used so far, redacted from output. */
  secrets: string[];
  /** dotenv values each finished job exported. */
  dotenv: Map<string, Record<string, string>>;
}

export const taskOf = (job: string) => job;

export function jobLabels(state: GitlabState, job: string): Record<string, string> {
  return {
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_PROJECT]: state.options.project,
    [LABEL_RUN]: state.runId,
    [LABEL_PIPELINE]: 'gitlab',
    [LABEL_JOB]: job.replace(/[^A-Za-z0-9_.:@ [\]-]/g, '-'),
  };
}

export function now(state: GitlabState): number {
  return (state.options.now ?? Date.now)();
}

export function randomName(state: GitlabState, prefix: string): string {
  const random = state.options.random ?? Math.random;
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 8; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return `${prefix}-${out}`;
}
