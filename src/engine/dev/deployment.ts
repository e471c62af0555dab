/** What runs, as the dev loop tracks it: derived from the plan and the content tags deployed. */
import { stackModel } from '../stack/model.js';
import type { Deployment } from '../targets/types.js';
import type { DevPlan } from './plan.js';

/** What runs after `tags` (build key → content tag) replace their keys in `current`. */
export function deploymentWith(plan: DevPlan, current: Deployment, tags: ReadonlyMap<string, string>): Deployment {
  const all = new Map([...current.tags, ...tags]);
  return { tags: all, model: stackModel(plan.config, all) };
}

/** The image a service runs in a deployment ('' when unknown). */
export function imageOf(deployment: Deployment, service: string): string {
  return deployment.model.services.find((s) => s.name === service)?.imageRef ?? '';
}
