/** `down`, `status`, `logs` on Kubernetes: everything found by the project's labels, pinned to its context and namespace. */
import { downKubeStack, kubeStatusRows, nodePortUrls } from '../../kube/manage.js';
import { projectSelector, serviceSelector } from '../../kube/names.js';
import { LABEL_ROLE } from '../../stack/model.js';
import type { DownResult, LoadedStack, StatusResult } from '../types.js';
import type { KubePorts } from './target.js';

export async function kubeDown(ports: KubePorts, project: string, options: { volumes: boolean; signal?: AbortSignal | undefined }): Promise<DownResult> {
  const setup = await ports.setup(project);
  const result = await downKubeStack({ kubectl: setup.kubectl, helm: setup.helmPresent ? setup.helm : undefined }, ports.bus, project, { volumes: options.volumes, signal: options.signal });
  return {
    project,
    where: `${setup.target.context}/${setup.target.namespace}`,
    volumes: options.volumes,
    removedVolumes: [],
    namespaceDeleted: result.namespaceDeleted,
    releases: result.releases,
    swept: [],
    images: [],
    data: { project, target: setup.target, releases: result.releases, volumes: options.volumes },
  };
}

export async function kubeStatus(ports: KubePorts, project: string): Promise<StatusResult> {
  const setup = await ports.setup(project);
  const selector = projectSelector(project);
  const [deployments, pods, services, releases] = await Promise.all([
    setup.kubectl.get('deployments', selector),
    setup.kubectl.get('pods', selector),
    setup.kubectl.get('services', selector),
    setup.helmPresent ? setup.helm.list().catch(() => []) : Promise.resolve([]),
  ]);
  const rows = kubeStatusRows(deployments, pods, releases);
  const ip = setup.minikubeProfile ? await setup.minikube.ip().catch(() => undefined) : undefined;
  const urls = ip ? nodePortUrls(services, ip) : {};
  return {
    project,
    where: `${setup.target.context}/${setup.target.namespace}`,
    rows: rows.map((r) => ({ service: r.service, kind: r.kind, ready: r.ready, state: r.state, urls: urls[r.service] ?? [] })),
    targetFlag: ' --target minikube',
    data: { project, target: setup.target, services: rows.map((r) => ({ ...r, urls: urls[r.service] ?? [] })) },
  };
}

export async function kubeLogs(ports: KubePorts, stack: LoadedStack, services: readonly string[], options: { follow: boolean; signal?: AbortSignal | undefined; onLine(line: string): void }): Promise<void> {
  const { config } = stack;
  const setup = await ports.setup(config.project);
  const selectors = services.length > 0 ? services.map((s) => serviceSelector(config.project, s)) : [projectSelector(config.project, { [LABEL_ROLE]: 'stack' })];
  await Promise.all(selectors.map((selector) => setup.kubectl.logs({ selector }, { follow: options.follow, prefix: true, tail: options.follow ? 100 : -1, signal: options.signal, onLine: options.onLine })));
}
