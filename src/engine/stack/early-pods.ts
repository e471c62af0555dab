/**
 * A fresh `up` starts the services' pods beside the leak guard. A pod is devpipe's idle anchor
 * (`devpipe-anchor`: no project code, no secret, no port of its own but the ones it publishes for
 * its service) that holds the service's network; creating the network and starting the pods is
 * most of a first deploy's setup (a second or more on a loaded engine), and it does not depend on
 * the verdict. No container of an image the guard scans is created or started before the verdict:
 * those come with the deploy proper, after it. A failed verdict (a leak, an unreadable image,
 * Ctrl-C) takes down what this started, so a refused `up` leaves nothing running.
 *
 * Only when nothing of the stack exists yet (no service container of the project): on a stack
 * that is up, its pods are up already, and recreating one under a running service would cut that
 * service's network before the verdict. Only while the verdict is pending: when it is already
 * known (an image verdict from the cache), a second Compose call would only add its start-up.
 */
import type { ContainerRunner, StackDeployer, StackTarget } from '../../ports.js';
import type { EventBus } from '../events.js';
import { stackContainers } from './health.js';
import type { StackModel } from './model.js';

export interface EarlyPods {
  /** The pods' compose services being started. */
  pods: string[];
  /** Settles when Compose is done: undefined, or the error it failed with (the deploy proper retries and reports). */
  done: Promise<unknown>;
  /** After a failed verdict: lets Compose finish (stopping it after `graceMs`), then takes the project down. */
  undo(graceMs: number): Promise<void>;
}

/** True when `promise` has settled already (checked after the pending callbacks have run). */
export async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  promise.then(mark, mark);
  await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}

/** The pods a fresh deploy may start before the verdict (pure). */
export function earlyPods(model: Pick<StackModel, 'services'>, stackExists: boolean, verdictKnown: boolean): string[] {
  if (stackExists || verdictKnown) return [];
  return model.services.flatMap((s) => (s.pod ? [s.pod] : []));
}

/** Lets a deploy finish (never cut Compose mid-recreate), stopping it only after `graceMs`. */
export async function stopDeployer(deploying: Promise<unknown>, abort: AbortController, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve();
    }, graceMs);
  });
  await Promise.race([deploying, grace]);
  clearTimeout(timer);
  await deploying;
}

export async function startEarlyPods(
  ports: { containers: ContainerRunner; deployer: StackDeployer },
  bus: EventBus,
  model: StackModel,
  target: StackTarget,
  verdict: Promise<void>,
): Promise<EarlyPods | undefined> {
  if (!model.services.some((s) => s.pod) || (await isSettled(verdict))) return undefined;
  const exists = (await stackContainers(ports.containers, model.project)).length > 0;
  const pods = earlyPods(model, exists, await isSettled(verdict));
  if (pods.length === 0) return undefined;
  const id = 'deploy:pods';
  const started = Date.now();
  bus.emit('task:start', { id, title: `start the pods (${pods.join(', ')}) beside the leak guard` });
  // Its own signal, as the deploy proper: Compose is never cut mid-create by Ctrl-C.
  const abort = new AbortController();
  const done = ports.deployer.up(target, { services: pods, signal: abort.signal, onLine: (line) => bus.emit('task:log', { id, line }) }).then(
    () => {
      bus.emit('task:end', { id, status: 'ok', durationMs: Date.now() - started });
      return undefined;
    },
    (error: unknown) => {
      bus.emit('task:end', { id, status: 'failed', durationMs: Date.now() - started, detail: `${(error as Error).message ?? String(error)} (the deploy tries again)` });
      return error;
    },
  );
  return {
    pods,
    done,
    async undo(graceMs) {
      await stopDeployer(done, abort, graceMs);
      try {
        await ports.deployer.down(target, { volumes: false });
      } catch (error) {
        bus.emit('message', { level: 'warn', text: `could not take down the pods started beside the leak guard (${(error as Error).message}): \`devpipe down\` removes them` });
      }
    },
  };
}
