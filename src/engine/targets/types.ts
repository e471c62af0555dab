/**
 * A deploy target (Compose or Kubernetes) as the engine sees it: a record of narrow ports, chosen
 * once in the composition root (cli/context.ts). Nothing outside the composition root asks which
 * target it runs on; each target implements these in engine/targets/<name>/.
 */
import type { DevpipeError } from '../../errors.js';
import type { BuiltImage } from '../build.js';
import type { DevPlan } from '../dev/plan.js';
import type { SyncTarget } from '../dev/sync.js';
import type { StackModel } from '../stack/model.js';
import type { StackBuild } from '../stack/up.js';
import type { StackSecrets } from '../project/secrets.js';
import type { StackConfig } from '../../spec/stack/index.js';

export type TargetName = 'compose' | 'minikube';

/** A file copied into a running service by the hot path: where from, and where (engine/dev/sync.ts). */
export type SyncCopy = SyncTarget & { hostPath: string };

/** What runs now: build key → content tag of the last good version, and the model it gives. */
export interface Deployment {
  tags: ReadonlyMap<string, string>;
  model: StackModel;
}

/** A service after a deploy, as the dev view shows it. */
export interface DeployedService {
  service: string;
  image: string;
  health: string;
}

/**
 * How a redeploy ended. It throws only when cancelled before the swap (nothing changed then) or
 * on an environment error; the user's failure (not ready) is `rolled-back`, not a throw.
 */
export type Redeployed =
  /** The new images run and are ready. */
  | { kind: 'served'; deployment: Deployment; services: DeployedService[] }
  /** Swapped, but a newer change cut the readiness wait short: the new version runs, unchecked. */
  | { kind: 'superseded'; deployment: Deployment }
  /** The new version did not get ready: `current` runs again; `failure` says why. */
  | { kind: 'rolled-back'; failure: DevpipeError };

/** Building for the target: build, scan for secret values, get the image where the target runs it. */
export interface DevImages {
  /** `scan: false` for images no secret is ever mounted into (the unit-test image). */
  build(plan: DevPlan, keys: readonly string[], options: { scan: boolean; signal: AbortSignal }): Promise<Map<string, BuiltImage>>;
}

/** Starting and redeploying the stack. */
export interface DevDeployer {
  /** The first start: build everything, deploy, wait until ready (throws when it does not get ready). */
  start(plan: DevPlan, signal: AbortSignal): Promise<{ deployment: Deployment; services: DeployedService[] }>;
  /** Readies a fast redeploy of these services while their images build; never rejects. */
  prepare(project: string, services: readonly string[]): Promise<void>;
  /**
   * Puts the changed images (build key → content tag) into service and waits until they are ready;
   * `onSettling` names the keys while readiness is awaited (a newer change to them may abort the
   * wait). A target without per-service redeploys may apply the whole plan (idempotent).
   */
  redeploy(
    plan: DevPlan,
    current: Deployment,
    changed: ReadonlyMap<string, string>,
    options: { signal: AbortSignal; onSettling(keys: readonly string[]): void },
  ): Promise<Redeployed>;
  /** Streams a service's log lines until `signal` aborts (from its current container/pod). */
  followLogs(project: string, service: string, signal: AbortSignal, onLine: (line: string) => void): void;
}

/** The hot path; a target that cannot copy into running services says `available: false`. */
export interface DevSyncer {
  readonly available: boolean;
  /** Copies into every running instance of the service, restarting its process when asked; false when none runs. */
  sync(project: string, service: string, copies: readonly SyncCopy[], restart: boolean): Promise<boolean>;
}

/** Running the suites: unit tests from their image, the e2e suite against the running stack. */
export interface DevSuites {
  /** Runs the unit-test image once (labelled with the project); its exit code. */
  unitTests(project: string, image: string, options: { signal: AbortSignal; onOutput(line: string, stream: 'stdout' | 'stderr'): void }): Promise<number>;
  /** Runs the e2e suite against what runs now; its exit code. */
  e2e(plan: DevPlan, deployment: Deployment, run: string, signal: AbortSignal): Promise<number>;
}

/** The dev loop's view of a target. */
export interface DevTarget {
  readonly name: TargetName;
  /** Where the stack runs, said to the user (`compose project x`, `minikube/devpipe-x`). */
  readonly where: string;
  images: DevImages;
  deployer: DevDeployer;
  syncer: DevSyncer;
  suites: DevSuites;
}

/** A loaded stack as the stack commands hand it to a target. */
export interface LoadedStack {
  config: StackConfig;
  secrets: StackSecrets;
  /** Compiles the stack's builds (refusing contexts that would hold a secret). */
  compile(options: { withSuite: boolean; onlySuite?: boolean }): Promise<StackBuild[]>;
}

/** A service of a stack that is up, as the summary shows it. */
export interface ServiceSummary {
  name: string;
  /** URLs, or how it is reached (`(helm release x)`, `(in-cluster only)`). */
  reach: string[];
  image: string;
  kind?: string | undefined;
}

export interface UpResult {
  project: string;
  /** Where it runs, when not this machine's Compose (`minikube/devpipe-x`). */
  where?: string | undefined;
  /** How images got there, when it matters. */
  note?: string | undefined;
  services: ServiceSummary[];
  /** Extra lines after the table (how to forward ports). */
  hints: string[];
  /** The target flag to repeat in the next commands (`--target minikube`), or ''. */
  targetFlag: string;
  /** The `result` event's data (--json). */
  data: unknown;
}

export interface DryRun {
  text: string;
  data: unknown;
}

export interface DownResult {
  project: string;
  where?: string | undefined;
  volumes: boolean;
  removedVolumes: string[];
  /** Kube: the namespace went too (with --volumes). */
  namespaceDeleted?: boolean | undefined;
  releases: string[];
  swept: string[];
  images: string[];
  data: unknown;
}

export interface StatusRow {
  service: string;
  state: string;
  health?: string | undefined;
  kind?: string | undefined;
  ready?: string | undefined;
  urls: string[];
  detail?: string | undefined;
}

export interface StatusResult {
  project: string;
  where?: string | undefined;
  rows: StatusRow[];
  targetFlag: string;
  data: unknown;
}

export interface E2eResult {
  project: string;
  where?: string | undefined;
  run: string;
  exitCode: number;
  durationMs: number;
  reportDir: string | undefined;
  targetFlag: string;
  data: unknown;
}

/** The stack commands' view of a target: up, down, status, logs. */
export interface StackRunner {
  up(stack: LoadedStack, options: { signal?: AbortSignal | undefined; forward?: boolean | undefined }): Promise<UpResult>;
  /** What `up` would do, refusing what `up` would refuse; builds and starts nothing. */
  dryRun(stack: LoadedStack): Promise<DryRun>;
  down(project: string, options: { volumes: boolean; images: boolean; signal?: AbortSignal | undefined }): Promise<DownResult>;
  status(project: string, config: StackConfig | undefined): Promise<StatusResult>;
  logs(stack: LoadedStack, services: readonly string[], options: { follow: boolean; signal?: AbortSignal | undefined; onLine(line: string): void }): Promise<void>;
  /** `up --forward`: keeps localhost:HOST reaching each published port until `signal` (`say` shows progress). */
  forward(stack: LoadedStack, signal: AbortSignal | undefined, say: (line: string) => void): Promise<void>;
}

/** Runs the e2e suite against the stack that is up. */
export interface SuiteRunner {
  e2e(stack: LoadedStack, options: { signal?: AbortSignal | undefined }): Promise<E2eResult>;
}

/** A deploy target: chosen once by the composition root, used by every command alike. */
export interface DeployTarget {
  readonly name: TargetName;
  stack: StackRunner;
  suites: SuiteRunner;
  /** The dev loop's ports on this target, for a project. */
  dev(project: string): Promise<DevTarget>;
}
