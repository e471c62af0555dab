/**
 * Stack model → Kubernetes objects (plain data; the caller serializes them). Pure.
 *
 *  - one Namespace per project; every object labelled (devpipe.project, devpipe.service, …,
 *    app.kubernetes.io/managed-by: devpipe) so down/status find them by label;
 *  - the fake secrets in one Secret, mounted read-only at /run/secrets/<name> (only the keys a
 *    service asked for) and/or exposed as env vars through secretKeyRef;
 *  - per service a Deployment (immutable content tag, imagePullPolicy IfNotPresent/Never,
 *    readiness probe from the healthcheck) and a headless Service of the same name, so every
 *    port is reachable by name as on the compose network; published ports also get a NodePort
 *    Service `<name>-published`;
 *  - project paths bind-mounted in compose become ConfigMaps (a read-only copy: the cluster cannot
 *    see this machine's disk); named volumes become PersistentVolumeClaims.
 */
import { createHash } from 'node:crypto';
import { InternalError } from '../../errors.js';
import type { HealthcheckConfig, SecretUse } from '../../spec/stack/types.js';
import type { ServiceModel, StackModel, SuiteModel } from '../stack/model.js';
import { kubeLabels, LABEL_PROJECT, LABEL_ROLE, LABEL_RUN, LABEL_SERVICE, PUBLISHED_SUFFIX, SECRET_NAME } from './names.js';
import { ANNOTATION_CHECKSUM, ANNOTATION_HOST_PORTS, LABEL_SOURCE } from '../labels.js';

export type Manifest = Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string>; [k: string]: unknown } };

/** One file of a project path that a service mounts (read by the CLI, rendered into a ConfigMap). */
export interface BoundFile {
  /** Relative to the mounted directory, `/`-separated. */
  path: string;
  /** UTF-8 text, or base64 when `binary`. */
  content: string;
  binary: boolean;
  /** File mode (0o755 keeps CGI scripts executable). */
  mode: number;
}

export interface RenderOptions {
  namespace: string;
  /** Secret name → value; in a dry run, placeholders. */
  secretValues: ReadonlyMap<string, string>;
  /** Service name → host path (as written) → its files. */
  boundFiles?: ReadonlyMap<string, ReadonlyMap<string, readonly BoundFile[]>>;
  /** Services deployed by their Helm chart instead (skipped here). */
  chartServices?: ReadonlySet<string>;
  pullPolicy?: 'IfNotPresent' | 'Never';
}

export interface RenderResult {
  objects: Manifest[];
  warnings: string[];
}

const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));

function meta(name: string, namespace: string, labels: Readonly<Record<string, string>>, extra: Record<string, unknown> = {}) {
  return { name, namespace, labels: kubeLabels(labels), ...extra };
}

export function configMapKey(path: string, taken: Set<string>): string {
  let key = path.replace(/[^-._a-zA-Z0-9]+/g, '_').replace(/^\.+/, '_') || 'file';
  while (taken.has(key)) key = `_${key}`;
  taken.add(key);
  return key;
}

function probe(check: HealthcheckConfig): Record<string, unknown> {
  return {
    ...(check.http ? { httpGet: { path: check.http.path, port: check.http.port } } : { exec: { command: check.command } }),
    periodSeconds: seconds(check.intervalMs),
    timeoutSeconds: seconds(check.timeoutMs),
    failureThreshold: check.retries,
    initialDelaySeconds: Math.round(check.startPeriodMs / 1000),
  };
}

function envOf(env: Readonly<Record<string, string>>, secrets: readonly SecretUse[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = Object.entries(env).map(([name, value]) => ({ name, value }));
  for (const use of secrets) if (use.env) out.push({ name: use.env, valueFrom: { secretKeyRef: { name: SECRET_NAME, key: use.name } } });
  return out;
}

function secretVolume(secrets: readonly SecretUse[]): { volume?: Record<string, unknown>; mount?: Record<string, unknown> } {
  const files = secrets.filter((s) => s.file);
  if (files.length === 0) return {};
  return {
    volume: { name: 'devpipe-secrets', secret: { secretName: SECRET_NAME, defaultMode: 0o444, items: files.map((s) => ({ key: s.name, path: s.name })) } },
    mount: { name: 'devpipe-secrets', mountPath: '/run/secrets', readOnly: true },
  };
}

/** A checksum of what a pod reads but Kubernetes does not watch (secret values, bound files): a change rolls the pods. */
function checksum(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

function container(name: string, image: string | undefined, pullPolicy: string, spec: Pick<ServiceModel, 'command' | 'args' | 'env' | 'secrets'>) {
  if (!image) throw new InternalError(`${name} has no image to run`);
  const out: Record<string, unknown> = { name, image, imagePullPolicy: pullPolicy };
  if (spec.command) out.command = spec.command;
  if (spec.args) out.args = spec.args;
  const env = envOf(spec.env, spec.secrets);
  if (env.length > 0) out.env = env;
  return out;
}

function serviceObjects(model: StackModel, svc: ServiceModel, options: RenderOptions, warnings: string[]): Manifest[] {
  const ns = options.namespace;
  const out: Manifest[] = [];
  const selector = { [LABEL_PROJECT]: svc.labels[LABEL_PROJECT] ?? model.project, [LABEL_SERVICE]: svc.name };
  const c = container(svc.name, svc.imageRef, options.pullPolicy ?? 'IfNotPresent', svc);
  if (svc.ports.length > 0) c.ports = svc.ports.map((p) => ({ containerPort: p.container }));
  if (svc.healthcheck) c.readinessProbe = probe(svc.healthcheck);
  // Generated files and listeners (a staging import) are deployed by the service's chart on Kubernetes.
  if (svc.files.length > 0) warnings.push(`${svc.name}: files (${svc.files.map((f) => f.path).join(', ')}) are not mounted by generated manifests; give the service a \`chart:\` (devpipe import-staging writes one)`);
  if (svc.listeners.length > 0) warnings.push(`${svc.name}: listeners (${svc.listeners.map((l) => `${l.name} localhost:${l.port}`).join(', ')}) are not served by generated manifests; give the service a \`chart:\``);
  const volumes: Record<string, unknown>[] = [];
  const mounts: Record<string, unknown>[] = [];
  const { volume, mount } = secretVolume(svc.secrets);
  if (volume && mount) {
    volumes.push(volume);
    mounts.push(mount);
  }
  const bound: unknown[] = [];
  svc.volumes.forEach((v, index) => {
    const volumeName = `v${index}`;
    if (v.kind === 'named') {
      volumes.push({ name: volumeName, persistentVolumeClaim: { claimName: v.name } });
      mounts.push({ name: volumeName, mountPath: v.path, readOnly: v.readOnly });
      return;
    }
    const files = options.boundFiles?.get(svc.name)?.get(v.host) ?? [];
    if (!v.readOnly) warnings.push(`${svc.name}: ${v.host} is mounted read-write under compose; on Kubernetes it is a read-only copy (a ConfigMap), and changes need \`devpipe up\` again`);
    const cmName = `${svc.name}-files-${index}`;
    const taken = new Set<string>();
    const items = files.map((f) => ({ key: configMapKey(f.path, taken), path: f.path, mode: f.mode & 0o777 }));
    const data: Record<string, string> = {};
    const binaryData: Record<string, string> = {};
    files.forEach((f, i) => ((f.binary ? binaryData : data)[items[i]!.key] = f.content));
    bound.push([v.host, files]);
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(cmName, ns, { ...svc.labels, [LABEL_SOURCE]: v.host.replace(/^\.\//, '') }),
      ...(Object.keys(data).length > 0 ? { data } : {}),
      ...(Object.keys(binaryData).length > 0 ? { binaryData } : {}),
    });
    volumes.push({ name: volumeName, configMap: { name: cmName, defaultMode: 0o644, items: items.map(({ key, path, mode }) => ({ key, path, mode })) } });
    mounts.push({ name: volumeName, mountPath: v.path, readOnly: true });
  });
  if (mounts.length > 0) c.volumeMounts = mounts;
  const used = svc.secrets.map((s) => [s.name, options.secretValues.get(s.name) ?? '']);
  out.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(svc.name, ns, svc.labels),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: kubeLabels(svc.labels), annotations: { [ANNOTATION_CHECKSUM]: checksum([used, bound]) } },
        spec: {
          // No `<SERVICE>_PORT=tcp://…` variables: the environment is what devpipe.yaml says, as on compose.
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 2,
          containers: [c],
          ...(volumes.length > 0 ? { volumes } : {}),
        },
      },
    },
  });
  // Headless: the name resolves to the pod, every port reachable (compose network semantics).
  out.push({ apiVersion: 'v1', kind: 'Service', metadata: meta(svc.name, ns, svc.labels), spec: { clusterIP: 'None', selector } });
  if (svc.ports.length > 0) {
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(`${svc.name}${PUBLISHED_SUFFIX}`, ns, svc.labels, { annotations: { [ANNOTATION_HOST_PORTS]: svc.ports.map((p) => `${p.host}:${p.container}`).join(',') } }),
      spec: { type: 'NodePort', selector, ports: svc.ports.map((p) => ({ name: `p${p.container}`, port: p.container, targetPort: p.container, protocol: 'TCP' })) },
    });
  }
  return out;
}

/** The Secret holding every fake secret of the stack (values base64, as the API wants them). */
export function secretObject(model: StackModel, namespace: string, values: ReadonlyMap<string, string>): Manifest {
  const data: Record<string, string> = {};
  for (const name of model.secrets) data[name] = Buffer.from(values.get(name) ?? '', 'utf8').toString('base64');
  return { apiVersion: 'v1', kind: 'Secret', metadata: meta(SECRET_NAME, namespace, { ...model.labels, [LABEL_ROLE]: 'secrets' }), type: 'Opaque', data };
}

export function namespaceObject(model: Pick<StackModel, 'labels'>, namespace: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: kubeLabels(model.labels) } };
}

export function renderStack(model: StackModel, options: RenderOptions): RenderResult {
  const warnings: string[] = [];
  const objects: Manifest[] = [namespaceObject(model, options.namespace)];
  if (model.secrets.length > 0) objects.push(secretObject(model, options.namespace, options.secretValues));
  for (const volume of model.volumes) {
    objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(volume.name, options.namespace, { ...model.labels, [LABEL_SERVICE]: volume.services.join('.') }),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
  }
  for (const svc of model.services) {
    if (options.chartServices?.has(svc.name)) continue;
    objects.push(...serviceObjects(model, svc, options, warnings));
  }
  return { objects, warnings };
}

/** The e2e suite as a Job: runs once (no retries), deadline = the suite's timeout. */
export function suiteJob(model: StackModel, suite: SuiteModel, namespace: string, run: string, pullPolicy: 'IfNotPresent' | 'Never' = 'IfNotPresent'): Manifest {
  const labels = { ...suite.labels, [LABEL_RUN]: run };
  const c = container('e2e', suite.imageRef, pullPolicy, suite);
  const { volume, mount } = secretVolume(suite.secrets);
  if (mount) c.volumeMounts = [mount];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(jobName(run), namespace, labels),
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: seconds(suite.timeoutMs),
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: kubeLabels(labels) },
        spec: { restartPolicy: 'Never', enableServiceLinks: false, terminationGracePeriodSeconds: 2, containers: [c], ...(volume ? { volumes: [volume] } : {}) },
      },
    },
  };
}

export function jobName(run: string): string {
  return `e2e-${run.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
}
