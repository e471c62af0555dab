/**
 * The dev loop on Kubernetes: images built and delivered into the cluster, a redeploy re-applies
 * the whole stack (idempotent: only Deployments whose image changed roll out; a failed rollout
 * re-applies the last good images), no hot path (a change always rebuilds), the unit-test image
 * built and run on this machine's engine, the e2e suite as a Job.
 */
import { toDevpipeError } from '../../../errors.js';
import { servicesOf, type DevPlan } from '../../dev/plan.js';
import { requireKubeStackUp, runKubeSuite } from '../../kube/suite.js';
import { serviceSelector } from '../../kube/names.js';
import { chartOf } from '../../kube/chart.js';
import { LABEL_PROJECT, LABEL_ROLE, stackModel } from '../../stack/model.js';
import type { Deployment, DeployedService, DevTarget } from '../types.js';
import { buildAndDeliver } from './images.js';
import type { BuiltImage } from '../../build.js';
import { buildStackImages } from '../../stack/up.js';
import { applyStack, kubeUp } from './up.js';
import type { KubePorts, KubeSetup } from './target.js';
import type { Redactor } from '../../stack/redact.js';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../../labels.js';

function deployed(plan: DevPlan, tags: ReadonlyMap<string, string>): { deployment: Deployment; services: DeployedService[] } {
  const model = stackModel(plan.config, tags);
  return { deployment: { tags, model }, services: model.services.map((s) => ({ service: s.name, image: s.imageRef ?? '', health: 'ready' })) };
}

export function kubeDevTarget(ports: KubePorts, setup: KubeSetup, redactor: Redactor): DevTarget {
  const secretsOf = (plan: DevPlan) => ({ resolved: plan.secrets, bus: ports.bus });
  return {
    name: 'minikube',
    where: `${setup.target.context}/${setup.target.namespace}`,
    images: {
      async build(plan, keys, options) {
        // The unit-test image runs on this machine's engine (never in the cluster): built here, not delivered.
        const testOnly = plan.tests && !plan.builds.some((b) => b.key === plan.tests!.key) ? plan.tests.key : undefined;
        const builds = plan.builds.filter((b) => keys.includes(b.key));
        const out = new Map<string, BuiltImage>();
        if (builds.length > 0) {
          const { built } = await buildAndDeliver(ports, setup, plan.config, secretsOf(plan), builds, [], options.signal, { scan: options.scan });
          for (const [key, image] of built) out.set(key, image);
        }
        if (testOnly && keys.includes(testOnly)) {
          const host = await ports.hostImages();
          const built = await buildStackImages({ builder: host.builder, images: host.images, scanner: host.scanner, files: ports.files }, ports.bus, [plan.tests!], plan.secrets, {
            project: plan.config.project,
            revision: plan.revision,
            fresh: false,
            concurrency: plan.config.settings.buildConcurrency,
            signal: options.signal,
            scan: options.scan,
          });
          for (const [key, image] of built) out.set(key, image);
        }
        return out;
      },
    },
    deployer: {
      async start(plan, signal) {
        const stack = { config: plan.config, secrets: { ...secretsOf(plan), redactor, guard: <T>(fn: () => Promise<T>) => fn() }, compile: async () => plan.builds };
        const up = await kubeUp(ports, stack, signal, plan.config.e2e !== undefined);
        return deployed(plan, up.tags);
      },
      async prepare() {},
      async redeploy(plan, current, changed, options) {
        const tags = new Map([...current.tags, ...changed]);
        options.onSettling([...changed.keys()]);
        try {
          await applyStack(ports, setup, plan.config, secretsOf(plan), tags, options.signal);
        } catch (error) {
          // Cancelled: what runs is not known, so nothing is recorded; the next iteration applies everything again.
          if (options.signal.aborted) throw error;
          // The last good images again (a rollout that never got ready is replaced).
          await applyStack(ports, setup, plan.config, secretsOf(plan), current.tags, undefined).catch(() => undefined);
          return { kind: 'rolled-back', failure: toDevpipeError(error) };
        } finally {
          options.onSettling([]);
        }
        const { deployment, services } = deployed(plan, tags);
        const rolled = new Set([...changed.keys()].flatMap((key) => servicesOf(plan, key)));
        return { kind: 'served', deployment, services: services.filter((s) => rolled.has(s.service)) };
      },
      followLogs(project, service, signal, onLine) {
        void setup.kubectl.logs({ selector: serviceSelector(project, service) }, { follow: true, prefix: false, tail: 0, signal, onLine }).catch(() => undefined);
      },
    },
    syncer: { available: false, sync: async () => false },
    suites: {
      async unitTests(project, image, options) {
        const side = await ports.hostImages();
        const result = await side.containers.run({ image, labels: { [LABEL_PROJECT]: project, [LABEL_ROLE]: 'test', [LABEL_MANAGED_BY]: MANAGED_BY }, signal: options.signal, onOutput: options.onOutput });
        await side.containers.remove(result.containerId).catch(() => undefined);
        return result.exitCode;
      },
      async e2e(plan, deployment, run, signal) {
        await requireKubeStackUp(setup.kubectl, deployment.model, new Set(plan.config.services.filter((s) => chartOf(s)).map((s) => s.name)));
        const result = await runKubeSuite({ kubectl: setup.kubectl, files: ports.files }, ports.bus, deployment.model, { run, redact: (t) => redactor.text(t), signal });
        return result.exitCode;
      },
    },
  };
}
