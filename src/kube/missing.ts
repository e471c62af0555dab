/**
 * A missing tool is an adapter, not an `if` (STYLE.md §3): when kubectl, helm or minikube is not
 * on PATH, these stand in and every method throws the hinted environment error (exit 3).
 * Startup never fails for a user who doesn't use the kube target.
 */
import { DevpipeError } from '../errors.js';
import type { HelmClient, KubeClient, KubeTarget, MinikubeClient } from '../engine/kube/ports.js';

export const installHints = {
  kubectl: 'install kubectl (https://kubernetes.io/docs/tasks/tools/), e.g. `apt-get install kubectl` from the Kubernetes apt repository; then `devpipe doctor --target minikube`',
  helm: 'install helm 3 (https://helm.sh/docs/intro/install/); only services with a `chart:` and `ci` deploy steps need it',
  minikube: 'install minikube (https://minikube.sigs.k8s.io/docs/start/) and run `minikube start`; or use another cluster with --allow-context NAME',
} as const;

export function missingTool(tool: keyof typeof installHints): DevpipeError {
  return new DevpipeError('environment', `${tool} is not installed (not found on PATH)`, { hint: installHints[tool] });
}

const fail = (tool: keyof typeof installHints) => async (): Promise<never> => {
  throw missingTool(tool);
};

export class MissingKubectl implements KubeClient {
  constructor(readonly target: KubeTarget) {}
  ping = fail('kubectl');
  apply = fail('kubectl');
  get = fail('kubectl');
  rolloutStatus = fail('kubectl');
  events = fail('kubectl');
  logs = fail('kubectl');
  deleteByLabel = fail('kubectl');
  deleteNamespace = fail('kubectl');
  portForwardArgs(): string[] {
    throw missingTool('kubectl');
  }
}

export class MissingHelm implements HelmClient {
  constructor(readonly target: KubeTarget) {}
  version = fail('helm');
  install = fail('helm');
  test = fail('helm');
  uninstall = fail('helm');
  list = fail('helm');
}

export class MissingMinikube implements MinikubeClient {
  constructor(readonly profile: string) {}
  status = fail('minikube');
  runtime = fail('minikube');
  dockerEnv = fail('minikube');
  imageLoad = fail('minikube');
  ip = fail('minikube');
}
