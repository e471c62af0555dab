/**
 * A deploy target (Compose or Kubernetes) as the engine sees it: a record of narrow ports, chosen
 * once in the composition root (cli/context.ts). Nothing outside the composition root asks which
 * target it runs on; each target implements these in engine/targets/<name>/.
 */
import type { BuiltImage } from '../build.js';
import type { DevPlan } from '../dev/plan.js';
import type { SyncTarget } from '../dev/sync.js';
import type { StackModel } from '../stack/model.js';

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
  prepare(services: readonly string[]): Promise<void>;
  /**
   * Puts the changed images (build key → content tag) into service and waits until they are ready;
   * `onSettling` names the keys while readiness is awaited. When they do not get ready, the last
   * good version (`current`) runs again and it throws a `failure`.
   */
  redeploy(
    plan: DevPlan,
    current: Deployment,
    changed: ReadonlyMap<string, string>,
    options: { signal: AbortSignal; onSettling(keys: readonly string[]): void },
  ): Promise<{ deployment: Deployment; services: DeployedService[] }>;
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
