/**
 * Why a pod is not ready, from what kubectl reports (pod status, its events, its last logs), as
 * a DevpipeError that names the pod, the reason and the next step. Pure.
 */
import { DevpipeError } from '../../errors.js';
import type { KubeEvent, KubeObject } from './ports.js';

export interface PodState {
  name: string;
  phase: string;
  ready: boolean;
  /** The most telling reason: a waiting/terminated reason, `Unschedulable`, `NotReady` or the phase. */
  reason: string;
  message: string;
  restarts: number;
  image?: string | undefined;
  exitCode?: number | undefined;
}

interface ContainerStatus {
  ready?: boolean;
  restartCount?: number;
  image?: string;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; message?: string; exitCode?: number }; running?: object };
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}

export function podState(pod: KubeObject): PodState {
  const status = (pod.status ?? {}) as { phase?: string; conditions?: { type?: string; status?: string; reason?: string; message?: string }[]; containerStatuses?: ContainerStatus[] };
  const containers = status.containerStatuses ?? [];
  const phase = status.phase ?? 'Unknown';
  const ready = containers.length > 0 && containers.every((c) => c.ready === true);
  const restarts = containers.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const first = containers.find((c) => c.state?.waiting || c.state?.terminated) ?? containers[0];
  const waiting = first?.state?.waiting;
  const terminated = first?.state?.terminated;
  const unschedulable = status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const base = { name: pod.metadata.name, phase, ready, restarts, image: first?.image };
  if (waiting?.reason) return { ...base, reason: waiting.reason, message: waiting.message ?? '', exitCode: first?.lastState?.terminated?.exitCode };
  if (terminated) return { ...base, reason: terminated.reason ?? 'Terminated', message: terminated.message ?? '', exitCode: terminated.exitCode };
  if (unschedulable) return { ...base, reason: unschedulable.reason ?? 'Unschedulable', message: unschedulable.message ?? '' };
  if (phase === 'Running' && !ready) return { ...base, reason: 'NotReady', message: 'the readiness probe (the healthcheck) has not passed' };
  return { ...base, reason: phase, message: '' };
}

/** What to do about a reason. */
export function hintFor(state: PodState, service: string): string {
  switch (state.reason) {
    case 'ImagePullBackOff':
    case 'ErrImagePull':
      return `the cluster cannot pull ${state.image ?? 'the image'}: images built here are loaded into minikube by devpipe; a pinned image must be in this machine's Docker engine (devpipe loads it) or pullable by the cluster`;
    case 'ErrImageNeverPull':
      return `${state.image ?? 'the image'} is not in the cluster and may not be pulled: run \`devpipe up --target minikube\` again (it loads the images), or check \`minikube image ls\``;
    case 'InvalidImageName':
      return `"${state.image ?? '?'}" is not a valid image reference; check services.${service}.image`;
    case 'CrashLoopBackOff':
    case 'Error':
      return `the container keeps exiting${state.exitCode !== undefined ? ` (last exit code ${state.exitCode})` : ''}: its last logs are above; \`devpipe logs --target minikube ${service}\` shows more`;
    case 'CreateContainerConfigError':
    case 'CreateContainerError':
      return 'the pod spec refers to something missing (a secret key, a config map): run `devpipe up --target minikube` again; if it persists this is a bug';
    case 'Unschedulable':
      return 'the cluster has no room for it: give minikube more CPU/memory (`minikube start --cpus 4 --memory 4g`) or remove other workloads';
    case 'NotReady':
      return `services.${service}.healthcheck keeps failing inside the pod: the events and logs above say why; raise health_timeout if it is only slow`;
    case 'ContainerCreating':
    case 'PodInitializing':
    case 'Pending':
      return 'the pod is still being created: the events above say what it waits for (volumes, image pulls); raise health_timeout if the cluster is only slow';
    default:
      return `\`kubectl describe pod ${state.name}\` (with the context and namespace above) shows more`;
  }
}

function eventLine(e: KubeEvent): string {
  return `${e.type} ${e.reason}: ${e.message}${e.count && e.count > 1 ? ` (x${e.count})` : ''}`;
}

/** The pod to blame: the least ready, crash-looping before pending before not-ready. */
export function worstPod(pods: readonly KubeObject[]): PodState | undefined {
  const states = pods.map(podState).filter((s) => !s.ready || s.phase === 'Failed');
  const rank = (s: PodState) => (/BackOff|Err|Error|Invalid|Config/.test(s.reason) ? 0 : s.reason === 'Unschedulable' ? 1 : s.reason === 'NotReady' ? 2 : 3);
  return states.sort((a, b) => rank(a) - rank(b))[0];
}

export function rolloutError(service: string, timeoutMs: number, pod: PodState | undefined, events: readonly KubeEvent[], logs: readonly string[]): DevpipeError {
  const within = `${Math.round(timeoutMs / 1000)}s`;
  if (!pod) {
    return new DevpipeError('failure', `${service} did not become ready within ${within} (no pod was created)`, {
      details: events.slice(-8).map(eventLine),
      hint: 'the deployment\'s events above say why (quota, admission); `devpipe status --target minikube` shows its state',
    });
  }
  const details = [`pod ${pod.name}: ${pod.reason}${pod.message ? ` (${pod.message})` : ''}${pod.restarts ? `, ${pod.restarts} restart(s)` : ''}`];
  if (events.length > 0) details.push('events:', ...events.slice(-8).map((e) => `  ${eventLine(e)}`));
  if (logs.length > 0) details.push('last logs:', ...logs.slice(-15).map((l) => `  ${l}`));
  return new DevpipeError('failure', `${service} did not become ready within ${within}: pod ${pod.name} is ${pod.reason}`, { details, hint: hintFor(pod, service) });
}
