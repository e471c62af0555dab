/**
 * The Compose target's redeploy in `dev`: the services of the changed images get their new
 * image — each running container swapped through the Engine API (in its pod: no network
 * touched), compose as the fallback — then wait to settle; a version that does not get ready is
 * rolled back to the last good one (the previous images, through compose).
 */
import { toDevpipeError } from '../../../errors.js';
import type { ContainerReplacer } from '../../../ports.js';
import { deploymentWith } from '../../dev/deployment.js';
import { servicesOf, type DevPlan } from '../../dev/plan.js';
import type { EventBus } from '../../events.js';
import { writeStackFiles } from '../../stack/files.js';
import { waitHealthy } from '../../stack/health.js';
import type { StackModel } from '../../stack/model.js';
import type { StackPorts } from '../../stack/up.js';
import type { Deployment, Redeployed } from '../types.js';

export interface RedeployPorts extends Pick<StackPorts, 'containers' | 'deployer' | 'files'> {
  replacer: ContainerReplacer;
  /** The running containers of a service. */
  containersOf(project: string, service: string): Promise<string[]>;
}

/**
 * The fast redeploy: each running container of the services replaced through the Engine API
 * (no compose process, no stop timeout). False when any service has no running container or a
 * replacement fails: compose does it then.
 */
async function fastReplace(ports: RedeployPorts, bus: EventBus, services: readonly string[], model: StackModel): Promise<boolean> {
  const work: { container: string; image: string }[] = [];
  for (const service of services) {
    const image = model.services.find((s) => s.name === service)?.imageRef;
    const containers = await ports.containersOf(model.project, service);
    if (!image || containers.length === 0) return false;
    for (const container of containers) work.push({ container, image });
  }
  try {
    await Promise.all(work.map(({ container, image }) => ports.replacer.replace(container, image)));
    return true;
  } catch (error) {
    bus.emit('message', { level: 'warn', text: `fast redeploy failed (${toDevpipeError(error).message}); redeploying with compose` });
    return false;
  }
}

export async function composeRedeploy(
  ports: RedeployPorts,
  bus: EventBus,
  plan: DevPlan,
  current: Deployment,
  changed: ReadonlyMap<string, string>,
  options: { signal: AbortSignal; onSettling(keys: readonly string[]): void },
): Promise<Redeployed> {
  const { signal } = options;
  const services = [...changed.keys()].flatMap((key) => servicesOf(plan, key));
  const next = deploymentWith(plan, current, changed);
  const target = await writeStackFiles(ports.files, next.model, plan.secrets);
  const subset = { ...next.model, services: next.model.services.filter((s) => services.includes(s.name)) };
  let swapped = false;
  try {
    if (!(await fastReplace(ports, bus, services, next.model))) await ports.deployer.up(target, { services, signal });
    swapped = true;
    options.onSettling([...changed.keys()]);
    const states = await waitHealthy(ports, bus, subset, target, { timeoutMs: plan.config.settings.healthTimeoutMs, signal, settleMs: plan.config.settings.settleMs, pollMs: 100 });
    return { kind: 'served', deployment: next, services: states.map((s) => ({ service: s.service, image: next.model.services.find((m) => m.name === s.service)?.imageRef ?? '', health: s.health })) };
  } catch (error) {
    if (signal.aborted) {
      // Superseded while settling: the new version runs; the next iteration replaces it.
      if (swapped) return { kind: 'superseded', deployment: next };
      throw error;
    }
    // Keep the last good version running: put the previous images back.
    const failure = toDevpipeError(error);
    const previous = deploymentWith(plan, current, new Map());
    const back = await writeStackFiles(ports.files, previous.model, plan.secrets);
    await ports.deployer.up(back, { services }).catch(() => undefined);
    return { kind: 'rolled-back', failure };
  } finally {
    options.onSettling([]);
  }
}
