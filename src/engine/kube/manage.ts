/** `down`, `status` on the cluster: everything found by the project's labels and namespace. */
import type { EventBus } from '../events.js';
import { podState } from './diagnose.js';
import { LABEL_SERVICE, projectSelector, PUBLISHED_SUFFIX } from './names.js';
import type { HelmClient, HelmRelease, KubeClient, KubeObject } from './ports.js';
import { LABEL_ROLE } from '../labels.js';

/** What `down` removes (PVCs, i.e. named volumes, only with --volumes, by deleting the namespace). */
export const DOWN_KINDS = 'deployments,replicasets,pods,services,jobs,secrets,configmaps';

export interface KubeDownResult {
  releases: string[];
  namespaceDeleted: boolean;
}

export async function downKubeStack(ports: { kubectl: KubeClient; helm?: HelmClient | undefined }, bus: EventBus, project: string, options: { volumes: boolean; signal?: AbortSignal | undefined }): Promise<KubeDownResult> {
  const { kubectl } = ports;
  const started = Date.now();
  bus.emit('task:start', { id: 'down', title: `remove ${project} from ${kubectl.target.context}/${kubectl.target.namespace}${options.volumes ? ' (and its volumes)' : ''}` });
  try {
    const releases = ports.helm ? (await ports.helm.list()).map((r) => r.name) : [];
    for (const release of releases) await ports.helm?.uninstall(release, { signal: options.signal });
    if (options.volumes) await kubectl.deleteNamespace({ signal: options.signal });
    else await kubectl.deleteByLabel(DOWN_KINDS, projectSelector(project), { signal: options.signal });
    bus.emit('task:end', { id: 'down', status: 'ok', durationMs: Date.now() - started });
    return { releases, namespaceDeleted: options.volumes };
  } catch (error) {
    bus.emit('task:end', { id: 'down', status: 'failed', durationMs: Date.now() - started });
    throw error;
  }
}

export interface KubeStatusRow {
  service: string;
  kind: 'deployment' | 'release' | 'job';
  ready: string;
  state: string;
  pods: string[];
}

export function kubeStatusRows(deployments: readonly KubeObject[], pods: readonly KubeObject[], releases: readonly HelmRelease[]): KubeStatusRow[] {
  const rows: KubeStatusRow[] = deployments.map((d) => {
    const service = d.metadata.labels?.[LABEL_SERVICE] ?? d.metadata.name;
    const status = (d.status ?? {}) as { replicas?: number; readyReplicas?: number };
    const mine = pods.filter((p) => p.metadata.labels?.[LABEL_SERVICE] === service && p.metadata.labels?.[LABEL_ROLE] !== 'e2e').map(podState);
    const worst = mine.find((p) => !p.ready);
    return {
      service,
      kind: 'deployment',
      ready: `${status.readyReplicas ?? 0}/${status.replicas ?? 0}`,
      state: worst ? worst.reason : mine.length > 0 ? 'Ready' : 'NoPods',
      pods: mine.map((p) => p.name),
    };
  });
  for (const r of releases) rows.push({ service: r.name, kind: 'release', ready: '-', state: r.status, pods: [] });
  return rows.sort((a, b) => a.service.localeCompare(b.service));
}

/** NodePort URLs: `<published service>` → `http://<node ip>:<nodePort>` for each port. */
export function nodePortUrls(services: readonly KubeObject[], nodeIp: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const svc of services) {
    if (!svc.metadata.name.endsWith(PUBLISHED_SUFFIX)) continue;
    const service = svc.metadata.labels?.[LABEL_SERVICE] ?? svc.metadata.name.slice(0, -PUBLISHED_SUFFIX.length);
    const ports = ((svc.spec ?? {}) as { ports?: { nodePort?: number }[] }).ports ?? [];
    out[service] = ports.filter((p) => p.nodePort).map((p) => `http://${nodeIp}:${p.nodePort}`);
  }
  return out;
}
