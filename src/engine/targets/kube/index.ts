/** The Kubernetes target (minikube, or an opted-in context): every verb through the kube ports. */
import type { Redactor } from '../../stack/redact.js';
import type { DeployTarget } from '../types.js';
import { kubeDevTarget } from './dev.js';
import { kubeE2e } from './e2e.js';
import { forwardPorts } from './forward.js';
import { kubeDown, kubeLogs, kubeStatus } from './manage.js';
import type { KubePorts } from './target.js';
import { kubeDryRun, kubeUp, kubeUpResult } from './up.js';
import { placeholderRefs, stackModel } from '../../stack/model.js';

export interface KubeDryRunText {
  /** Renders the plan for people (ui/kube-dry-run.ts), given by the composition root. */
  (dry: Awaited<ReturnType<typeof kubeDryRun>>, timeoutMs: number): string;
}

export function kubeTarget(ports: KubePorts, redactor: Redactor, render: KubeDryRunText): DeployTarget {
  return {
    name: 'minikube',
    stack: {
      async up(stack, options) {
        return kubeUpResult(stack.config, await kubeUp(ports, stack, options.signal));
      },
      async dryRun(stack) {
        const dry = await kubeDryRun(ports, stack);
        return { text: render(dry, stack.config.settings.healthTimeoutMs), data: dry.data };
      },
      down: (project, options) => kubeDown(ports, project, options),
      status: (project) => kubeStatus(ports, project),
      logs: (stack, services, options) => kubeLogs(ports, stack, services, options),
      async forward(stack, signal, say) {
        const setup = await ports.setup(stack.config.project);
        await forwardPorts(ports, setup, stackModel(stack.config, placeholderRefs(stack.config)), signal, say);
      },
    },
    suites: { e2e: (stack, options) => kubeE2e(ports, stack, options.signal) },
    async dev(project) {
      return kubeDevTarget(ports, await ports.setup(project), redactor);
    },
  };
}
