/**
 * The build-and-redeploy step of an iteration: build the images that changed, hand the ones
 * whose content tag really changed to the target's redeploy, and turn its result into views.
 * `built` is called once the images are built (what may overlap the redeploy starts then).
 * Returns what runs afterwards; throws (after the views say so) when the build failed, the new
 * version was rolled back, or a newer change superseded it.
 */
import { DevpipeError, toDevpipeError } from '../../errors.js';
import type { Deployment } from '../targets/types.js';
import type { Busy, IterationPorts } from './deps.js';
import { deploymentWith, imageOf } from './deployment.js';
import { servicesOf, suiteKey, type DevPlan } from './plan.js';

/** What runs after the redeploy, kept even when the step throws (a superseded swap runs). */
export interface RebuildState {
  deployment: Deployment;
}

export async function buildAndRedeploy(
  ports: IterationPorts,
  plan: DevPlan,
  state: RebuildState,
  keys: readonly string[],
  reasons: ReadonlyMap<string, string[]>,
  work: { busy: Busy; signal: AbortSignal; built?: () => void },
): Promise<string[]> {
  const { target, views } = ports;
  if (keys.length === 0) {
    work.built?.();
    return [];
  }
  const started = Date.now();
  const servicesOfKeys = keys.flatMap((key) => servicesOf(plan, key));
  for (const service of servicesOfKeys) views.set(service, { state: 'building' });
  // While the images build: ready the fast redeploy of the running services (never rejects).
  void target.deployer.prepare(plan.config.project, servicesOfKeys).catch(() => undefined);
  work.busy.set('build', keys);
  let built: Awaited<ReturnType<typeof target.images.build>>;
  try {
    built = await target.images.build(plan, keys, { scan: true, signal: work.signal });
  } catch (error) {
    const result = work.signal.aborted ? 'cancelled' : 'failed';
    for (const key of keys) {
      for (const service of servicesOf(plan, key)) {
        const detail = result === 'failed' ? `build failed; still running ${state.deployment.tags.get(key) ?? 'the last good version'}` : undefined;
        views.set(service, { state: 'running', detail, lastBuild: { at: new Date().toISOString(), reason: reasons.get(key) ?? [], durationMs: Date.now() - started, result } });
      }
    }
    throw error;
  } finally {
    work.busy.set('build', []);
  }
  work.built?.();
  const suite = suiteKey(plan);
  const changed = new Map<string, string>();
  for (const key of keys) {
    const image = built.get(key);
    if (!image) continue;
    if (key === suite) {
      // The e2e suite's image is not deployed: the next suite run uses the new one.
      state.deployment = deploymentWith(plan, state.deployment, new Map([[key, image.contentTag]]));
      continue;
    }
    const same = state.deployment.tags.get(key) === image.contentTag;
    if (!same) changed.set(key, image.contentTag);
    for (const service of servicesOf(plan, key)) {
      views.set(service, { state: same ? 'running' : 'deploying', lastBuild: { at: new Date().toISOString(), reason: reasons.get(key) ?? [], durationMs: image.durationMs, result: same ? 'unchanged' : 'built' } });
    }
  }
  if (changed.size === 0) return [];
  return redeploy(ports, plan, state, changed, work);
}

async function redeploy(ports: IterationPorts, plan: DevPlan, state: RebuildState, changed: ReadonlyMap<string, string>, work: { busy: Busy; signal: AbortSignal }): Promise<string[]> {
  const { views } = ports;
  const services = [...changed.keys()].flatMap((key) => servicesOf(plan, key));
  let result: Awaited<ReturnType<typeof ports.target.deployer.redeploy>>;
  try {
    result = await ports.target.deployer.redeploy(plan, state.deployment, changed, { signal: work.signal, onSettling: (keys) => work.busy.set('settle', keys) });
  } catch (error) {
    // Cancelled before the swap: the next iteration says what it does. Anything else: said here.
    if (!work.signal.aborted) for (const service of services) views.set(service, { state: 'failed', detail: `redeploy failed: ${toDevpipeError(error).message}` });
    throw error;
  } finally {
    work.busy.set('settle', []);
  }
  switch (result.kind) {
    case 'served':
      state.deployment = result.deployment;
      for (const service of result.services) views.set(service.service, { state: 'running', image: service.image, health: service.health, detail: undefined });
      ports.followLogs(services);
      return services;
    case 'superseded':
      // A newer change cut the readiness wait short: the new version runs; the next iteration replaces it.
      state.deployment = result.deployment;
      for (const service of services) views.set(service, { state: 'running', image: imageOf(result.deployment, service), health: 'unknown', detail: 'superseded by a newer change before its health check ended' });
      ports.followLogs(services);
      throw new DevpipeError('interrupted', 'superseded by a newer change');
    case 'rolled-back': {
      const { failure } = result;
      for (const service of services) {
        views.set(service, { state: 'failed', image: imageOf(state.deployment, service), detail: `new version failed (${failure.message}); rolled back to the last good version` });
      }
      ports.followLogs(services);
      throw new DevpipeError('failure', `${services.join(', ')}: the new version did not get ready; the last good version runs again`, { details: failure.details, cause: failure });
    }
  }
}
