/** The Compose target (the default): the stack on this machine's Docker engine through Compose. */
import { DevpipeError } from '../../../errors.js';
import type { DeployTarget, DevTarget } from '../types.js';
import { composeDown, composeDryRun, composeE2e, composeLogs, composeStatus, composeUp, type ComposePorts } from './stack.js';

export function composeTarget(ports: ComposePorts, dev: (project: string) => Promise<DevTarget>): DeployTarget {
  return {
    name: 'compose',
    stack: {
      up: (stack, options) => composeUp(ports, stack, options.signal),
      dryRun: (stack) => composeDryRun(ports, stack),
      down: (project, options) => composeDown(ports, project, options),
      status: (project, config) => composeStatus(ports, project, config),
      logs: (stack, services, options) => composeLogs(ports, stack, services, options),
      async forward() {
        throw new DevpipeError('usage', '--forward applies to --target minikube', { hint: 'on compose every published port is on localhost already' });
      },
    },
    suites: { e2e: (stack, options) => composeE2e(ports, stack, options.signal) },
    dev,
  };
}
