/**
 * `deployToKube`: what `devpipe ci`'s `deploy` step calls on the kube target (PipelineLib deploy
 * semantics, see engine/kube/pipeline-deploy.ts), pinned to the project's context and namespace.
 * The image the pipeline built on this machine is loaded into minikube first.
 */
import { loadImages } from '../../kube/delivery.js';
import { deployStack } from '../../kube/deploy.js';
import { namespaceObject } from '../../kube/manifests.js';
import { deployRelease, undeployReleases, type PipelineDeployRequest } from '../../kube/pipeline-deploy.js';
import type { KubeTarget } from '../../kube/ports.js';
import type { EventBus } from '../../events.js';
import { LABEL_PROJECT } from '../../stack/model.js';
import type { KubeDeployPort } from '../../ci/ports.js';
import { requireMinikubeRunning, type KubePorts } from './target.js';

export interface KubeDeployOptions extends PipelineDeployRequest {
  /** The project (namespace `devpipe-<project>`). */
  project: string;
  bus: EventBus;
}

export interface KubeDeployment {
  releaseName: string;
  target: KubeTarget;
  values: Record<string, unknown>;
  /** Teardown: `helm uninstall` of this release. */
  undeploy(): Promise<void>;
}

export async function deployToKube(ports: Pick<KubePorts, 'setup'>, options: KubeDeployOptions): Promise<KubeDeployment> {
  const setup = await ports.setup(options.project);
  await requireMinikubeRunning(setup);
  await setup.helm.version();
  const { bus, project, ...request } = options;
  // The namespace (labelled like every devpipe object) before helm installs into it.
  const namespace = namespaceObject({ labels: { [LABEL_PROJECT]: project } }, setup.target.namespace);
  await deployStack({ kubectl: setup.kubectl, helm: setup.helm }, bus, { project, objects: [namespace], charts: [], timeoutMs: 60_000, signal: request.signal });
  if (request.localImage && setup.minikubeProfile) await loadImages(setup.minikube, bus, [request.localImage], request.signal);
  const result = await deployRelease(setup.helm, bus, request);
  return { ...result, target: setup.target, undeploy: () => undeployReleases(setup.helm, [result.releaseName]) };
}

/** `devpipe ci --target minikube`: the runner's deploy port over deployToKube. */
export function ciKubeDeployPort(ports: Pick<KubePorts, 'setup'>, project: string, bus: EventBus): KubeDeployPort {
  const releases = new Map<string, () => Promise<void>>();
  return {
    async deploy(step, options) {
      const { deployRequestOf } = await import('../../kube/pipeline-deploy.js');
      const deployment = await deployToKube(ports, { project, bus, ...deployRequestOf(step, { localImage: options.localImage, signal: options.signal }) });
      releases.set(deployment.releaseName, deployment.undeploy);
      return { releaseName: deployment.releaseName, where: `${deployment.target.context}/${deployment.target.namespace}` };
    },
    async undeploy(releaseName) {
      await releases.get(releaseName)?.();
    },
  };
}
