/** `up --forward`: localhost:HOST → each published port, through managed `kubectl port-forward`s, until Ctrl-C. */
import { PUBLISHED_SUFFIX } from '../../kube/names.js';
import type { StackModel } from '../../stack/model.js';
import type { ForwardEvent, ForwardSpec, KubePorts, KubeSetup } from './target.js';

export function forwardSpecs(model: StackModel): ForwardSpec[] {
  return model.services.flatMap((s) => s.ports.map((p) => ({ service: `${s.name}${PUBLISHED_SUFFIX}`, local: p.host, remote: p.container })));
}

export function describeForward(event: ForwardEvent): string {
  const what = `localhost:${event.spec.local} → ${event.spec.service.replace(new RegExp(`${PUBLISHED_SUFFIX}$`), '')}:${event.spec.remote}`;
  if (event.kind === 'ready') return `forwarding ${what}${event.attempt > 1 ? ` (reconnected, attempt ${event.attempt})` : ''}`;
  if (event.kind === 'lost') return `lost ${what} (${event.reason}); reconnecting`;
  return `stopped ${what}`;
}

/** Forwards every published port until `signal`; `say` gets each line to show. */
export async function forwardPorts(ports: Pick<KubePorts, 'forward'>, setup: KubeSetup, model: StackModel, signal: AbortSignal | undefined, say: (line: string) => void): Promise<void> {
  const specs = forwardSpecs(model);
  if (specs.length === 0) {
    say('no published ports to forward');
    return;
  }
  const controller = new AbortController();
  if (signal?.aborted) controller.abort();
  else signal?.addEventListener('abort', () => controller.abort(), { once: true });
  say('forwarding until Ctrl-C (redeploys reconnect automatically):');
  await Promise.all(specs.map((spec) => ports.forward(setup, spec, controller.signal, (event) => say(`  ${describeForward(event)}`))));
}
