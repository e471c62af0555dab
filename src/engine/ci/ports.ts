/**
 * The ports `devpipe ci` needs beyond the shared ones (ports.ts): secret values for
 * `run.credentials`, `docker cp` semantics for `copy`, a registry push for `publish` (only when the
 * user configured a registry), the run records behind `--rerun`, and reading project files
 * (Blubber configs named at run time). Adapters live in docker/, fs/ and host/.
 */
import type { ContainerCopier, ContainerRunner, ImageBuilder, ImagePusher, ImageStore } from '../../ports.js';
import type { ResolvedDeploy } from '../../spec/pipeline/index.js';
import type { RunRecord } from './record.js';
import type { ProjectReader } from '../project/workspace.js';
import type { PassedRuns } from './passed-runs.js';

/** Fake secret values by credential id (`run.credentials`): the runner needs `get` and where it looked. */
export interface CredentialSource {
  get(id: string): Promise<string | undefined>;
  /** Where values are looked up, for "missing id" errors: `env DEVPIPE_SECRET_<ID>, file x.yaml`. */
  describe(): string;
}

export type { ContainerCopier, ImagePusher } from '../../ports.js';

/** `.devpipe/runs/<run-id>/run.json` */
export interface RunRecords {
  write(record: RunRecord): Promise<void>;
  /** A recorded run; `undefined` = the latest. */
  read(runId?: string): Promise<RunRecord | undefined>;
  /** Where records live, for messages. */
  location(runId?: string): string;
}

/** Project files the runner reads while running (Blubber files chosen by interpolation): the project reader's `read`. */
export type RepoFiles = Pick<ProjectReader, 'read'>;

export interface CiPorts {
  builder: ImageBuilder;
  images: ImageStore;
  containers: ContainerRunner;
  copier: ContainerCopier;
  secrets: CredentialSource;
  records: RunRecords;
  files: RepoFiles;
  /** Run steps that passed before, by their inputs (absent: every run step runs). */
  passed?: Pick<PassedRuns, 'get' | 'put'> | undefined;
  /** Present only when the user configured a registry. */
  pusher?: ImagePusher | undefined;
  /** Present only with `--target minikube`: runs `deploy` steps with Helm on the cluster. */
  kube?: KubeDeployPort | undefined;
}

/** PipelineLib's `deploy` step on a local cluster: helm install (+ helm test), and uninstall. */
export interface KubeDeployPort {
  deploy(step: ResolvedDeploy, options: { localImage?: string | undefined; signal?: AbortSignal | undefined }): Promise<{ releaseName: string; where: string }>;
  undeploy(releaseName: string): Promise<void>;
}
