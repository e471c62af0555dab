/**
 * The Compose target of the dev loop (engine/targets/types.ts DevTarget): images built and
 * scanned on the local engine (nothing to deliver), the stack started by `upStack`, redeploys
 * swapped through the Engine API with compose as the fallback (dev-redeploy.ts), hot sync by
 * copying into the running containers, unit tests and the e2e suite as labelled containers.
 */
import type { ContainerReplacer, ContainerSyncer } from '../../../ports.js';
import { servicesOf, suiteKey, type DevPlan } from '../../dev/plan.js';
import type { EventBus } from '../../events.js';
import { runSuite } from '../../stack/e2e.js';
import { stackTarget } from '../../stack/files.js';
import { LABEL_MANAGED_BY, LABEL_PROJECT, LABEL_ROLE, LABEL_SERVICE, MANAGED_BY } from '../../labels.js';
import { buildStackImages, upStack, type StackPorts } from '../../stack/up.js';
import type { DevTarget } from '../types.js';
import { composeRedeploy } from './dev-redeploy.js';

export interface ComposeDevPorts extends StackPorts {
  syncer: ContainerSyncer;
  replacer: ContainerReplacer;
}

export function composeDevTarget(ports: ComposeDevPorts, bus: EventBus): DevTarget {
  const containersOf = async (project: string, service: string): Promise<string[]> => {
    const containers = await ports.containers.list({ [LABEL_PROJECT]: project, [LABEL_SERVICE]: service });
    return containers.filter((c) => c.state === 'running').map((c) => c.id);
  };
  let project: string | undefined;
  return {
    name: 'compose',
    get where() {
      return `compose project ${project ?? '(not started)'}`;
    },
    images: {
      build: (plan, keys, options) =>
        buildStackImages(ports, bus, [...plan.builds, ...(plan.tests ? [plan.tests] : [])].filter((b, i, all) => keys.includes(b.key) && all.findIndex((o) => o.key === b.key) === i), plan.secrets, {
          scan: options.scan,
          project: plan.config.project,
          revision: plan.revision,
          fresh: false,
          concurrency: plan.config.settings.buildConcurrency,
          signal: options.signal,
        }),
    },
    deployer: {
      async start(plan: DevPlan, signal: AbortSignal) {
        project = plan.config.project;
        const summary = await upStack(ports, bus, { config: plan.config, builds: plan.builds, secrets: plan.secrets, revision: plan.revision, signal });
        const { model } = summary;
        const tags = new Map<string, string>();
        for (const build of plan.builds) {
          const service = model.services.find((s) => servicesOf(plan, build.key).includes(s.name));
          const ref = build.key === suiteKey(plan) ? model.suite?.imageRef : service?.imageRef;
          if (ref) tags.set(build.key, ref);
        }
        const services = summary.states.map((s) => ({ service: s.service, image: model.services.find((m) => m.name === s.service)?.imageRef ?? '', health: s.health }));
        return { deployment: { tags, model }, services };
      },
      async prepare(stack, services) {
        await Promise.all(services.map((s) => containersOf(stack, s)))
          .then((ids) => ports.replacer.prepare(ids.flat()))
          .catch(() => undefined);
      },
      redeploy: (plan, current, changed, options) => composeRedeploy({ ...ports, containersOf }, bus, plan, current, changed, options),
      followLogs(stack, service, signal, onLine) {
        void containersOf(stack, service)
          .then((ids) => Promise.all(ids.map((id) => ports.containers.follow(id, { signal, onLine }))))
          .catch(() => undefined);
      },
    },
    syncer: {
      available: true,
      async sync(stack, service, copies, restart) {
        const containers = await containersOf(stack, service);
        if (containers.length === 0) return false;
        for (const container of containers) {
          await ports.syncer.put(container, copies);
          // A server that loaded the old code keeps serving it: restart its process (no stop timeout).
          if (restart) await ports.syncer.restart(container);
        }
        return true;
      },
    },
    suites: {
      async unitTests(stack, image, options) {
        const result = await ports.containers.run({
          image,
          labels: { [LABEL_PROJECT]: stack, [LABEL_ROLE]: 'test', [LABEL_MANAGED_BY]: MANAGED_BY },
          signal: options.signal,
          onOutput: options.onOutput,
        });
        await ports.containers.remove(result.containerId).catch(() => undefined);
        return result.exitCode;
      },
      async e2e(plan, deployment, run, signal) {
        const result = await runSuite(ports, bus, deployment.model, stackTarget(ports.files.root, deployment.model.project), { run, secrets: plan.secrets, redact: (text) => text, signal });
        return result.exitCode;
      },
    },
  };
}
