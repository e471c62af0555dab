/**
 * Waiting until every service is ready: running, and healthy when it has a healthcheck. Found by
 * labels through the ContainerRunner port. On timeout (or a service that exited), the error names
 * the service and shows its last log lines.
 */
import { DevpipeError } from '../../errors.js';
import type { ContainerInfo, ContainerRunner, StackDeployer, StackTarget } from '../../ports.js';
import type { EventBus } from '../events.js';
import { LABEL_PROJECT, LABEL_ROLE, LABEL_SERVICE, type StackModel } from './model.js';

export type Health = 'healthy' | 'unhealthy' | 'starting' | 'none';

export interface ServiceState {
  service: string;
  /** `running`, `exited`, `created`, `restarting`, … or `missing`. */
  state: string;
  health: Health;
  status: string;
  ready: boolean;
}

export function healthOf(status: string): Health {
  if (/\(healthy\)/.test(status)) return 'healthy';
  if (/\(unhealthy\)/.test(status)) return 'unhealthy';
  if (/health: starting/.test(status)) return 'starting';
  return 'none';
}

export function serviceStates(model: StackModel, containers: readonly ContainerInfo[]): ServiceState[] {
  return model.services.map((service) => {
    const container = containers.find((c) => c.labels[LABEL_SERVICE] === service.name);
    if (!container) return { service: service.name, state: 'missing', health: 'none', status: 'not created', ready: false };
    // An HTTP healthcheck runs in the service's sidecar: its health is the service's.
    const prober = service.healthcheck?.http ? containers.find((c) => c.labels[LABEL_SERVICE] === service.sidecar) : container;
    const health = prober ? healthOf(prober.status) : 'starting';
    const running = container.state === 'running';
    return {
      service: service.name,
      state: container.state,
      health,
      status: container.status,
      ready: running && (service.healthcheck ? health === 'healthy' : true),
    };
  });
}

export function stackContainers(containers: ContainerRunner, project: string, role: 'stack' | 'e2e' = 'stack'): Promise<ContainerInfo[]> {
  return containers.list({ [LABEL_PROJECT]: project, [LABEL_ROLE]: role });
}

export async function lastLogLines(deployer: StackDeployer, target: StackTarget, service: string, count = 20): Promise<string[]> {
  const lines: string[] = [];
  try {
    await deployer.logs(target, { services: [service], tail: count, onLine: (line) => lines.push(line) });
  } catch (error) {
    lines.push(`(could not read its logs: ${(error as Error).message})`);
  }
  return lines.slice(-count);
}

export async function notReadyError(deployer: StackDeployer, target: StackTarget, state: ServiceState, why: string): Promise<DevpipeError> {
  const logs = await lastLogLines(deployer, target, state.service);
  return new DevpipeError('failure', `service "${state.service}" ${why} (state: ${state.state}${state.health !== 'none' ? `, health: ${state.health}` : ''})`, {
    details: logs.length > 0 ? [`last log lines of ${state.service}:`, ...logs.map((l) => `  ${l}`)] : [`${state.service} wrote no logs`],
    hint: `see \`devpipe logs ${state.service}\`; check its command and healthcheck in .pipeline/devpipe.yaml (health_timeout sets how long up waits)`,
  });
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs?: number;
  signal?: AbortSignal | undefined;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * A service without a healthcheck counts as ready once it has been running this long (default
   * 1s), so a program that starts and exits at once is caught instead of reported up.
   */
  settleMs?: number;
  /**
   * False while the deployer is still (re)creating containers: until then an exited container
   * may be the *previous* one, about to be replaced, so it is not judged (issue 15, item 1).
   */
  deployed?: () => boolean;
  /** Checked on every poll: an error to stop waiting with (e.g. the deployer failed meanwhile). */
  check?: (states: ServiceState[]) => Promise<Error | undefined>;
}

/** The service to blame when the stack is not ready: an exited or unhealthy one before a waiting one. */
export function culprit(states: readonly ServiceState[]): ServiceState | undefined {
  return (
    states.find((s) => ['exited', 'dead'].includes(s.state)) ??
    states.find((s) => s.health === 'unhealthy') ??
    states.find((s) => s.state === 'running' && !s.ready) ??
    states.find((s) => !s.ready)
  );
}

/** Sleeps, waking early when the signal aborts (a superseded wait ends at once). */
const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

export async function waitHealthy(
  ports: { containers: ContainerRunner; deployer: StackDeployer },
  bus: EventBus,
  model: StackModel,
  target: StackTarget,
  options: WaitOptions,
): Promise<ServiceState[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const started = now();
  const announced = new Set<string>();
  for (const service of model.services) bus.emit('task:start', { id: `health:${service.name}`, title: `${service.name} ready` });
  // The engine's events (a container started, stopped, changed health) wake the wait at once;
  // the states themselves are always read by polling, which goes on every pollMs regardless.
  const watching = new AbortController();
  let changed = false;
  let wake: (() => void) | undefined;
  ports.containers.watchChanges?.(
    { [LABEL_PROJECT]: model.project },
    () => {
      changed = true;
      wake?.();
    },
    watching.signal,
  );
  try {
    return await pollStates(ports, bus, model, target, options, {
      started,
      announced,
      takeChange: () => {
        const was = changed;
        changed = false;
        return was;
      },
      nap: async (ms) => {
        const nap = new AbortController();
        const stop = () => nap.abort();
        wake = stop;
        options.signal?.addEventListener('abort', stop, { once: true });
        try {
          await sleep(ms, nap.signal);
        } finally {
          wake = undefined;
          options.signal?.removeEventListener('abort', stop);
        }
      },
    });
  } finally {
    watching.abort();
  }
}

async function pollStates(
  ports: { containers: ContainerRunner; deployer: StackDeployer },
  bus: EventBus,
  model: StackModel,
  target: StackTarget,
  options: WaitOptions,
  loop: { started: number; announced: Set<string>; takeChange(): boolean; nap(ms: number): Promise<void> },
): Promise<ServiceState[]> {
  const now = options.now ?? Date.now;
  const { started, announced } = loop;
  const runningSince = new Map<string, number>();
  // Each service's health clock starts when its container exists: on a loaded machine Compose may
  // take seconds to create it, and that is not the service being slow. Creation itself is
  // bounded too (by the health timeout again, at least 30 s).
  const firstSeen = new Map<string, number>();
  const createGraceMs = Math.max(options.timeoutMs, 30_000);
  for (;;) {
    if (options.signal?.aborted) {
      for (const service of model.services) {
        if (!announced.has(service.name)) bus.emit('task:end', { id: `health:${service.name}`, status: 'skipped', durationMs: now() - started, detail: 'interrupted' });
      }
      throw new DevpipeError('interrupted', 'interrupted while waiting for the services');
    }
    loop.takeChange();
    const states = serviceStates(model, await stackContainers(ports.containers, model.project));
    for (const state of states) {
      const service = model.services.find((s) => s.name === state.service);
      if (state.state !== 'missing' && !firstSeen.has(state.service)) firstSeen.set(state.service, now());
      if (state.state !== 'running') runningSince.delete(state.service);
      else if (!runningSince.has(state.service)) runningSince.set(state.service, now());
      if (state.ready && !service?.healthcheck && now() - (runningSince.get(state.service) ?? now()) < (options.settleMs ?? 1000)) state.ready = false;
    }
    for (const state of states) {
      if (state.ready && !announced.has(state.service)) {
        announced.add(state.service);
        bus.emit('task:end', { id: `health:${state.service}`, status: 'ok', durationMs: now() - started, detail: state.health === 'healthy' ? 'healthy' : 'running' });
      }
    }
    const dead = options.deployed?.() === false ? undefined : states.find((s) => ['exited', 'dead'].includes(s.state));
    if (dead) {
      bus.emit('task:end', { id: `health:${dead.service}`, status: 'failed', durationMs: now() - started, detail: dead.status });
      throw await notReadyError(ports.deployer, target, dead, 'stopped instead of becoming ready');
    }
    const stop = await options.check?.(states);
    if (stop) throw stop;
    if (states.every((s) => s.ready)) return states;
    const late = states.filter((s) => {
      if (s.ready) return false;
      const seen = firstSeen.get(s.service);
      return seen === undefined ? now() - started >= options.timeoutMs + createGraceMs : now() - seen >= options.timeoutMs;
    });
    if (late.length > 0) {
      const stuck = culprit(late);
      if (!stuck) return states;
      bus.emit('task:end', { id: `health:${stuck.service}`, status: 'failed', durationMs: now() - started, detail: stuck.status });
      const why = firstSeen.has(stuck.service) ? `did not become healthy within ${Math.round(options.timeoutMs / 1000)}s` : `was not created within ${Math.round((options.timeoutMs + createGraceMs) / 1000)}s`;
      throw await notReadyError(ports.deployer, target, stuck, why);
    }
    // A change seen while reading: read again at once; otherwise until the next change or poll.
    if (!loop.takeChange()) await loop.nap(options.pollMs ?? 500);
  }
}
