/**
 * Which cluster and namespace: the minikube profile's context (MINIKUBE_PROFILE, default
 * `minikube`) unless `--allow-context NAME` names another one explicitly, so devpipe never acts
 * on whatever `kubectl config current-context` happens to be (a shared or production cluster).
 * One namespace per project: `devpipe-<project>`. The ports the kube target works through.
 */
import { namespaceOf } from '../../kube/names.js';
import { DevpipeError } from '../../../errors.js';
import type { HelmClient, KubeClient, KubeTarget, MinikubeClient } from '../../kube/ports.js';
import type { EventBus } from '../../events.js';
import type { ProjectReader } from '../../project/workspace.js';
import type { ContainerRunner, Engine, ImageBuilder, ImageScanner, ImageStore, ProjectFiles } from '../../../ports.js';

/** minikube's default profile (and context) name. */
export const DEFAULT_MINIKUBE_PROFILE = 'minikube';

export interface KubeSetup {
  target: KubeTarget;
  /** The minikube profile behind the context, or undefined for another (opted-in) context. */
  minikubeProfile: string | undefined;
  kubectl: KubeClient;
  helm: HelmClient;
  minikube: MinikubeClient;
  /** Is helm installed (down and status skip releases without it)? */
  helmPresent: boolean;
}

/** A Docker engine's image side (this machine's, or minikube's own through docker-env). */
export interface ImageSide {
  engine: Engine;
  builder: ImageBuilder;
  images: ImageStore;
  scanner: ImageScanner;
  /** Runs containers on that engine (the unit tests of `dev`). */
  containers: ContainerRunner;
}

export interface ForwardSpec {
  service: string;
  local: number;
  remote: number;
}

export type ForwardEvent = { kind: 'ready'; spec: ForwardSpec; attempt: number } | { kind: 'lost'; spec: ForwardSpec; attempt: number; reason: string } | { kind: 'stopped'; spec: ForwardSpec };

/** What the kube target needs, built by the composition root. */
export interface KubePorts {
  /** The clients pinned to a project's context and namespace. */
  setup(project: string): Promise<KubeSetup>;
  /** Docker on this machine. */
  hostImages(): Promise<ImageSide>;
  /** Docker inside minikube (`minikube docker-env` output applied). */
  clusterImages(dockerEnv: Record<string, string>): Promise<ImageSide>;
  /** Keeps localhost:local forwarded to a Service port (reconnecting) until `signal`. */
  forward(setup: KubeSetup, spec: ForwardSpec, signal: AbortSignal, onEvent: (event: ForwardEvent) => void): Promise<void>;
  reader: ProjectReader;
  files: ProjectFiles;
  bus: EventBus;
  revision(): Promise<string>;
}

export function kubeTargetFor(project: string, env: Readonly<Record<string, string | undefined>>, allowContext: string | undefined): { target: KubeTarget; minikubeProfile: string | undefined } {
  const profile = env.MINIKUBE_PROFILE || DEFAULT_MINIKUBE_PROFILE;
  const context = allowContext || profile;
  return { target: { context, namespace: namespaceOf(project) }, minikubeProfile: context === profile ? profile : undefined };
}

/** minikube must be running before anything is built for it (exit 3 with the fix otherwise). */
export async function requireMinikubeRunning(setup: KubeSetup): Promise<void> {
  if (!setup.minikubeProfile) return;
  const status = await setup.minikube.status();
  if (status.running) return;
  const flag = setup.minikubeProfile === DEFAULT_MINIKUBE_PROFILE ? '' : ` -p ${setup.minikubeProfile}`;
  throw new DevpipeError('environment', status.host === 'Nonexistent' ? `the minikube profile "${setup.minikubeProfile}" does not exist` : `minikube is not running (host ${status.host}, apiserver ${status.apiServer})`, {
    hint: `run \`minikube start${flag}\`; to use another cluster pass --allow-context NAME`,
  });
}
