/**
 * A managed `kubectl port-forward service/NAME LOCAL:REMOTE`: one kubectl per published port, kept
 * alive until the signal aborts. kubectl forwards to *one pod* chosen at start; after a redeploy
 * that pod is gone and kubectl either exits ("lost connection to pod") or keeps failing every
 * connection ("an error occurred forwarding"). Both end the attempt here and a new kubectl is
 * started after a short backoff, so localhost:LOCAL keeps working across redeploys.
 */
import type { KubeClient } from '../engine/kube/ports.js';
import type { ProcessRunner } from '../ports.js';

import type { ForwardEvent, ForwardSpec } from '../engine/targets/kube/target.js';

export type { ForwardEvent, ForwardSpec };

/** kubectl lines that mean this forward is dead even if the process lives on. */
export const LOST_PATTERNS = [/lost connection to pod/, /an error occurred forwarding/, /error upgrading connection/, /pod .* not found/i, /unable to listen on any of the requested ports/];

export class PortForwarder {
  constructor(
    private readonly proc: ProcessRunner,
    private readonly kubectl: KubeClient,
    private readonly options: { backoffMs?: number; maxBackoffMs?: number; sleep?: (ms: number, signal: AbortSignal) => Promise<void> } = {},
  ) {}

  /** Runs until `signal` aborts; calls `onEvent` for every state change. */
  async forward(spec: ForwardSpec, signal: AbortSignal, onEvent: (event: ForwardEvent) => void): Promise<void> {
    const base = this.options.backoffMs ?? 500;
    const max = this.options.maxBackoffMs ?? 5_000;
    const sleep = this.options.sleep ?? defaultSleep;
    let delay = base;
    let attempt = 0;
    while (!signal.aborted) {
      attempt += 1;
      const attemptController = new AbortController();
      const onAbort = () => attemptController.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      let reason = 'kubectl port-forward exited';
      let ready = false;
      let lostLine = false;
      try {
        const result = await this.proc.run('kubectl', this.kubectl.portForwardArgs(spec.service, spec.local, spec.remote), {
          timeoutMs: 0,
          signal: attemptController.signal,
          onLine: (line) => {
            if (!ready && /^Forwarding from /.test(line)) {
              ready = true;
              delay = base;
              onEvent({ kind: 'ready', spec, attempt });
            }
            if (!lostLine && LOST_PATTERNS.some((p) => p.test(line))) {
              lostLine = true;
              reason = line.trim();
              attemptController.abort();
            }
          },
        });
        if (result.exitCode !== 0 && !lostLine) reason = (result.stderr.trim().split('\n').pop() ?? reason) || reason;
      } catch (error) {
        if (signal.aborted) break;
        if (!attemptController.signal.aborted) reason = (error as Error).message;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
      if (signal.aborted) break;
      onEvent({ kind: 'lost', spec, attempt, reason });
      await sleep(delay, signal).catch(() => undefined);
      delay = Math.min(max, delay * 2);
    }
    onEvent({ kind: 'stopped', spec });
  }
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
