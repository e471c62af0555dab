/**
 * Deploying the stack model to a cluster through the kube ports: apply the rendered objects
 * (namespace, secret, config maps, deployments, services) in one `kubectl apply`, install the
 * chart services with `helm upgrade --install` (+ `helm test`), then wait for every rollout; a
 * rollout that does not finish names its pod with its events and last logs.
 */
import { stringify } from 'yaml';
import type { EventBus } from '../events.js';
import { serviceSelector } from './names.js';
import type { ChartPlan } from './chart.js';
import { rolloutError, worstPod } from './diagnose.js';
import type { Manifest } from './manifests.js';
import type { HelmClient, KubeClient } from './ports.js';

export interface KubePorts {
  kubectl: KubeClient;
  helm: HelmClient;
}

/** Multi-document YAML, as `kubectl apply -f -` reads it. */
export function manifestsYaml(objects: readonly Manifest[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 }).trimEnd()).join('\n---\n') + '\n';
}

async function task<T>(bus: EventBus, id: string, title: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  bus.emit('task:start', { id, title });
  try {
    const value = await fn();
    bus.emit('task:end', { id, status: 'ok', durationMs: Date.now() - started });
    return value;
  } catch (error) {
    bus.emit('task:end', { id, status: 'failed', durationMs: Date.now() - started, detail: (error as Error).message });
    throw error;
  }
}

/** Why `service` is not ready: its worst pod, that pod's events and last logs. */
export async function diagnoseService(kubectl: KubeClient, project: string, service: string, timeoutMs: number, selector = serviceSelector(project, service)) {
  const pods = await kubectl.get('pods', selector).catch(() => []);
  const pod = worstPod(pods);
  const events = await kubectl.events(pod?.name ?? service).catch(() => []);
  const logs: string[] = [];
  if (pod && pod.reason !== 'ContainerCreating' && !/Image|Pending|Unschedulable/.test(pod.reason)) {
    await kubectl.logs({ pod: pod.name }, { tail: 20, previous: pod.restarts > 0 && pod.reason === 'CrashLoopBackOff', onLine: (l) => logs.push(l) }).catch(() => undefined);
  }
  return rolloutError(service, timeoutMs, pod, events, logs);
}

export interface KubeDeployInput {
  project: string;
  objects: readonly Manifest[];
  charts: readonly ChartPlan[];
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface KubeDeployResult {
  applied: string[];
  releases: string[];
  deployments: string[];
}

export async function deployStack(ports: KubePorts, bus: EventBus, input: KubeDeployInput): Promise<KubeDeployResult> {
  const { kubectl, helm } = ports;
  const where = `${kubectl.target.context}/${kubectl.target.namespace}`;
  const applied = await task(bus, 'apply', `kubectl apply (${input.objects.length} objects) to ${where}`, () =>
    kubectl.apply(manifestsYaml(input.objects), { signal: input.signal, onLine: (line) => bus.emit('task:log', { id: 'apply', line }) }),
  );
  for (const line of applied) bus.emit('task:log', { id: 'apply', line });

  const releases: string[] = [];
  for (const plan of input.charts) {
    const id = `helm:${plan.release}`;
    await task(bus, id, `helm upgrade --install ${plan.release} (${plan.service})`, async () => {
      try {
        await helm.install(
          { mode: 'upgrade-install', release: plan.release, chart: plan.chart, valuesFiles: plan.valuesFiles, stdin: stringify(plan.privateValues), setString: plan.setString, set: plan.set, timeoutMs: input.timeoutMs },
          { signal: input.signal, onLine: (line) => bus.emit('task:log', { id, line }) },
        );
      } catch (error) {
        const diagnosis = await diagnoseService(kubectl, input.project, plan.service, input.timeoutMs, `release=${plan.release}`).catch(() => undefined);
        if (diagnosis && /did not become ready/.test((error as Error).message) && diagnosis.message.includes('pod ')) throw diagnosis;
        throw error;
      }
    });
    if (plan.test) await task(bus, `helm-test:${plan.release}`, `helm test ${plan.release}`, () => helm.test(plan.release, input.timeoutMs, { signal: input.signal }));
    releases.push(plan.release);
  }

  const deployments = input.objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
  const failures: Error[] = [];
  await Promise.all(
    deployments.map((name) =>
      task(bus, `rollout:${name}`, `wait for ${name}`, async () => {
        const done = await kubectl.rolloutStatus(name, input.timeoutMs, { signal: input.signal, onLine: (line) => bus.emit('task:log', { id: `rollout:${name}`, line }) });
        if (!done) throw await diagnoseService(kubectl, input.project, name, input.timeoutMs);
      }).catch((error: Error) => {
        failures.push(error);
      }),
    ),
  );
  if (failures[0]) throw failures[0];
  return { applied, releases, deployments };
}
