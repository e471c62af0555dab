/** `up --forward`: localhost:HOST → each published port, through managed `kubectl port-forward`s, until Ctrl-C. */
import { PUBLISHED_SUFFIX } from '../../engine/kube/names.js';
import type { StackModel } from '../../engine/stack/model.js';
import type { ForwardEvent, ForwardSpec } from '../../kube/port-forward.js';
import type { StackSecrets } from '../stack.js';
import type { KubeSetup } from './target.js';

export function forwardSpecs(model: StackModel): ForwardSpec[] {
  return model.services.flatMap((s) => s.ports.map((p) => ({ service: `${s.name}${PUBLISHED_SUFFIX}`, local: p.host, remote: p.container })));
}

export function describeForward(event: ForwardEvent): string {
  const what = `localhost:${event.spec.local} → ${event.spec.service.replace(new RegExp(`${PUBLISHED_SUFFIX}$`), '')}:${event.spec.remote}`;
  if (event.kind === 'ready') return `forwarding ${what}${event.attempt > 1 ? ` (reconnected, attempt ${event.attempt})` : ''}`;
  if (event.kind === 'lost') return `lost ${what} (${event.reason}); reconnecting`;
  return `stopped ${what}`;
}

export async function forwardPorts(setup: KubeSetup, model: StackModel, secrets: StackSecrets, signal: AbortSignal | undefined): Promise<void> {
  const specs = forwardSpecs(model);
  if (specs.length === 0) {
    secrets.print('no published ports to forward');
    return;
  }
  const controller = new AbortController();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener('abort', () => controller.abort(), { once: true });
  const forwarder = setup.adapters.portForwarder(setup.kubectl);
  secrets.print('forwarding until Ctrl-C (redeploys reconnect automatically):');
  await Promise.all(specs.map((spec) => forwarder.forward(spec, controller.signal, (event) => secrets.print(`  ${describeForward(event)}`))));
}
