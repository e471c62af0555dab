/**
 * The rendered Deployment → what devpipe needs of its main container: image, command, args,
 * env (plain or from a Secret), probes, port, and the files its ConfigMap/Secret volumes mount.
 * Pure.
 */
import { isValuesMap, type Values } from './layers.js';
import type { Manifest } from './render-chart.js';

export interface Probe {
  http?: { path: string; port: number; scheme: string } | undefined;
  tcp?: { port: number } | undefined;
  exec?: string[] | undefined;
  initialDelaySeconds?: number | undefined;
  periodSeconds?: number | undefined;
}

export interface ContainerFacts {
  name: string;
  image: string;
  command?: string[] | undefined;
  args?: string[] | undefined;
  env: { name: string; value?: string; secret?: { name: string; key: string; value: string } }[];
  readiness?: Probe | undefined;
  liveness?: Probe | undefined;
  ports: number[];
  files: { path: string; content: string; from: string; secret: boolean }[];
  template: string;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined;
}

function probe(v: unknown, ports: Map<string, number>): Probe | undefined {
  if (!isValuesMap(v)) return undefined;
  const port = (p: unknown) => (typeof p === 'number' ? p : (ports.get(String(p)) ?? Number(p)));
  const out: Probe = {
    initialDelaySeconds: typeof v.initialDelaySeconds === 'number' ? v.initialDelaySeconds : undefined,
    periodSeconds: typeof v.periodSeconds === 'number' ? v.periodSeconds : undefined,
  };
  if (isValuesMap(v.httpGet)) out.http = { path: String(v.httpGet.path ?? '/'), port: port(v.httpGet.port), scheme: String(v.httpGet.scheme ?? 'HTTP') };
  else if (isValuesMap(v.tcpSocket)) out.tcp = { port: port(v.tcpSocket.port) };
  else if (isValuesMap(v.exec)) out.exec = strings(v.exec.command);
  return out;
}

function dataOf(manifest: Manifest | undefined): Record<string, string> {
  if (!manifest) return {};
  const out: Record<string, string> = {};
  const body = manifest.body;
  if (isValuesMap(body.data)) for (const [k, v] of Object.entries(body.data)) out[k] = manifest.kind === 'Secret' ? Buffer.from(String(v), 'base64').toString() : String(v ?? '');
  if (isValuesMap(body.stringData)) for (const [k, v] of Object.entries(body.stringData)) out[k] = String(v ?? '');
  return out;
}

/** The Deployment's main container: the one running `main_app.image`, else the first. */
export function mainContainer(manifests: readonly Manifest[], imageName: string): ContainerFacts | undefined {
  const deployment = manifests.find((m) => m.kind === 'Deployment' && /deployment\.ya?ml$/.test(m.template)) ?? manifests.find((m) => m.kind === 'Deployment');
  const spec = deployment && isValuesMap(deployment.body.spec) && isValuesMap(deployment.body.spec.template) && isValuesMap(deployment.body.spec.template.spec) ? deployment.body.spec.template.spec : undefined;
  const containers = spec && Array.isArray(spec.containers) ? spec.containers.filter(isValuesMap) : [];
  const main = containers.find((c) => imageName !== '' && String(c.image ?? '').includes(imageName)) ?? containers[0];
  if (!deployment || !spec || !main) return undefined;
  const byKind = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.name === name);
  const namedPorts = new Map<string, number>();
  const ports: number[] = [];
  for (const p of Array.isArray(main.ports) ? main.ports.filter(isValuesMap) : []) {
    if (typeof p.containerPort === 'number') ports.push(p.containerPort);
    if (typeof p.name === 'string' && typeof p.containerPort === 'number') namedPorts.set(p.name, p.containerPort);
  }
  const env: ContainerFacts['env'] = [];
  for (const e of Array.isArray(main.env) ? main.env.filter(isValuesMap) : []) {
    const name = String(e.name ?? '');
    const ref = isValuesMap(e.valueFrom) && isValuesMap(e.valueFrom.secretKeyRef) ? e.valueFrom.secretKeyRef : undefined;
    if (ref) {
      const value = dataOf(byKind('Secret', String(ref.name)))[String(ref.key)] ?? '';
      env.push({ name, secret: { name: String(ref.name), key: String(ref.key), value } });
    } else env.push({ name, value: e.value === undefined || e.value === null ? '' : String(e.value) });
  }
  const volumes = new Map((Array.isArray(spec.volumes) ? spec.volumes.filter(isValuesMap) : []).map((v) => [String(v.name), v] as const));
  const files: ContainerFacts['files'] = [];
  for (const mount of Array.isArray(main.volumeMounts) ? main.volumeMounts.filter(isValuesMap) : []) {
    const volume = volumes.get(String(mount.name));
    if (!volume) continue;
    const source = isValuesMap(volume.configMap) ? { kind: 'ConfigMap', ref: volume.configMap } : isValuesMap(volume.secret) ? { kind: 'Secret', ref: volume.secret } : undefined;
    if (!source) continue;
    const manifest = byKind(source.kind, String(source.ref.name ?? source.ref.secretName ?? ''));
    const data = dataOf(manifest);
    const items = Array.isArray(source.ref.items) ? source.ref.items.filter(isValuesMap).map((i) => [String(i.key), String(i.path ?? i.key)] as const) : Object.keys(data).map((k) => [k, k] as const);
    const dir = String(mount.mountPath ?? '').replace(/\/+$/, '');
    for (const [key, rel] of items) {
      if (mount.subPath !== undefined && String(mount.subPath) !== rel) continue;
      const content = data[key];
      if (content === undefined) continue;
      const path = mount.subPath !== undefined ? dir : `${dir}/${rel}`;
      files.push({ path, content, from: `${manifest?.template ?? source.kind} (${source.kind} ${String(source.ref.name ?? '')}, key ${key})`, secret: source.kind === 'Secret' });
    }
  }
  return {
    name: String(main.name ?? ''),
    image: String(main.image ?? ''),
    command: strings(main.command),
    args: strings(main.args),
    env,
    readiness: probe(main.readinessProbe, namedPorts),
    liveness: probe(main.livenessProbe, namedPorts),
    ports,
    files,
    template: deployment.template,
  };
}

export type { Values };
