/**
 * The redeploy step of a dev iteration: the services of the changed images get their new
 * image — each container swapped through the Engine API (in its pod: no network touched),
 * compose as the fallback — then wait to settle; a version that does not get ready is rolled
 * back to the last good one. `settling` names the build keys while their health is awaited
 * (a newer change to them may cut the wait short).
 */
import { DevpipeError, toDevpipeError } from '../../errors.js';
import { writeStackFiles } from '../stack/files.js';
import { waitHealthy } from '../stack/health.js';
import type { StackModel } from '../stack/model.js';
import type { IterationContext } from './iteration.js';
import { servicesOf } from './plan.js';

export async function redeploy(
  loop: IterationContext,
  tags: ReadonlyMap<string, string>,
  signal: AbortSignal,
  settling: (keys: readonly string[]) => void,
): Promise<string[]> {
  const services = [...tags.keys()].flatMap((key) => servicesOf(loop.plan, key));
  const model = loop.modelWith(tags);
  const target = await writeStackFiles(loop.ports.files, model, loop.plan.secrets);
  const subset = { ...model, services: model.services.filter((s) => services.includes(s.name)) };
  let swapped = false;
  const adopt = () => {
    for (const [key, tag] of tags) loop.deployed.set(key, tag);
    loop.model = model;
    loop.target = target;
  };
  try {
    if (!(await fastReplace(loop, services, model))) await loop.ports.deployer.up(target, { services, signal });
    swapped = true;
    settling([...tags.keys()]);
    const states = await waitHealthy(loop.ports, loop.bus, subset, target, { timeoutMs: loop.plan.config.settings.healthTimeoutMs, signal, settleMs: 500, pollMs: 100 });
    settling([]);
    adopt();
    for (const state of states) loop.setView(state.service, { state: 'running', image: model.services.find((s) => s.name === state.service)?.imageRef ?? '', health: state.health, detail: undefined });
    for (const service of services) loop.followLogs(service);
    return services;
  } catch (error) {
    settling([]);
    if (signal.aborted) {
      // Superseded while settling: the new version runs; the next iteration replaces it.
      if (swapped) {
        adopt();
        for (const service of services) {
          loop.setView(service, { state: 'running', image: model.services.find((s) => s.name === service)?.imageRef ?? '', health: 'unknown', detail: 'superseded by a newer change before its health check ended' });
          loop.followLogs(service);
        }
      }
      throw error;
    }
    // Keep the last good version running: put the previous images back.
    const failure = toDevpipeError(error);
    const previous = loop.modelWith(new Map());
    const back = await writeStackFiles(loop.ports.files, previous, loop.plan.secrets);
    await loop.ports.deployer.up(back, { services }).catch(() => undefined);
    for (const service of services) {
      loop.setView(service, { state: 'failed', image: previous.services.find((s) => s.name === service)?.imageRef ?? '', detail: `new version failed (${failure.message}); rolled back to the last good version` });
      loop.followLogs(service);
    }
    throw new DevpipeError('failure', `${services.join(', ')}: the new version did not get ready; the last good version runs again`, { details: failure.details, cause: error });
  }
}

/**
 * The fast redeploy: each running container of the services replaced through the Engine API
 * (no compose process, no stop timeout). False when any service has no running container or a
 * replacement fails: the caller then lets the deployer (compose) do it.
 */
async function fastReplace(loop: IterationContext, services: readonly string[], model: StackModel): Promise<boolean> {
  const work: { container: string; image: string }[] = [];
  for (const service of services) {
    const image = model.services.find((s) => s.name === service)?.imageRef;
    const containers = await loop.containersOf(service);
    if (!image || containers.length === 0) return false;
    for (const container of containers) work.push({ container, image });
  }
  try {
    await Promise.all(work.map(({ container, image }) => loop.ports.replacer.replace(container, image)));
    return true;
  } catch (error) {
    loop.bus.emit('message', { level: 'warn', text: `fast redeploy failed (${toDevpipeError(error).message}); redeploying with compose` });
    return false;
  }
}
