import test from 'ava';
import { PortForwarder, type ForwardEvent } from '../../../src/kube/port-forward.js';
import { KubectlClient } from '../../../src/kube/kubectl.js';
import type { ProcessResult, ProcessRunner } from '../../../src/ports.js';

/** kubectl port-forward as it behaves across a redeploy: forwards, then loses its pod (exits, or keeps running and errors). */
class ScriptedForwards implements ProcessRunner {
  readonly calls: string[][] = [];
  constructor(private readonly script: ((onLine: (l: string) => void, signal: AbortSignal) => Promise<ProcessResult>)[]) {}
  async run(_command: string, args: readonly string[], options: { onLine?: (l: string) => void; signal?: AbortSignal } = {}): Promise<ProcessResult> {
    this.calls.push([...args]);
    const step = this.script[this.calls.length - 1];
    if (!step) return new Promise((resolve) => options.signal?.addEventListener('abort', () => resolve({ exitCode: 130, stdout: '', stderr: '' })));
    return step(options.onLine ?? (() => undefined), options.signal!);
  }
  async which(): Promise<string | undefined> {
    return '/usr/bin/kubectl';
  }
}

const forwarding = (l: (s: string) => void) => {
  l('Forwarding from 127.0.0.1:18080 -> 8080');
};

test('reconnects after kubectl exits (pod replaced) and after "an error occurred forwarding" while it lives on', async (t) => {
  const proc = new ScriptedForwards([
    async (l) => {
      forwarding(l);
      l('E1122 03:00:00 portforward.go:413] an error occurred forwarding 18080 -> 8080: error forwarding port 8080 to pod 1234, uid : network namespace for sandbox "abc" is closed');
      return { exitCode: 1, stdout: '', stderr: 'error: lost connection to pod' };
    },
    async (l) => {
      forwarding(l);
      return { exitCode: 1, stdout: '', stderr: 'error: lost connection to pod' };
    },
  ]);
  const kubectl = new KubectlClient(proc, { context: 'minikube', namespace: 'devpipe-demo' });
  const events: ForwardEvent[] = [];
  const controller = new AbortController();
  const forwarder = new PortForwarder(proc, kubectl, { sleep: async () => undefined });
  const done = forwarder.forward({ service: 'gateway-published', local: 18080, remote: 8080 }, controller.signal, (e) => {
    events.push(e);
    if (e.kind === 'ready' && e.attempt === 3) controller.abort();
  });
  // The third kubectl never exits by itself: it announces nothing, so stop once it is started.
  await new Promise((r) => setTimeout(r, 20));
  controller.abort();
  await done;
  t.is(proc.calls.length, 3);
  t.deepEqual(proc.calls[0], ['--context', 'minikube', '--namespace', 'devpipe-demo', 'port-forward', 'service/gateway-published', '18080:8080', '--address', '127.0.0.1']);
  t.deepEqual(events.map((e) => e.kind), ['ready', 'lost', 'ready', 'lost', 'stopped']);
  const lost = events.filter((e): e is Extract<ForwardEvent, { kind: 'lost' }> => e.kind === 'lost');
  t.regex(lost[0]?.reason ?? '', /an error occurred forwarding/);
  t.regex(lost[1]?.reason ?? '', /lost connection to pod/);
});
