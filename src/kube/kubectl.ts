/**
 * KubectlClient: kubectl over ProcessRunner, built with {context, namespace}. Every argv goes
 * through `#argv`, which puts `--context` and `--namespace` first: no call can run unpinned.
 */
import type { CallOptions, KubeClient, KubeEvent, KubeObject, KubeTarget } from '../engine/kube/ports.js';
import type { ProcessRunner } from '../ports.js';
import { checkKube } from './problems.js';

export class KubectlClient implements KubeClient {
  constructor(
    private readonly proc: ProcessRunner,
    readonly target: KubeTarget,
    private readonly env?: Record<string, string>,
  ) {
    if (!target.context || !target.namespace) throw new Error('KubectlClient needs a context and a namespace');
  }

  /** The pinned argv: `--context C --namespace N …`. */
  #argv(args: readonly string[]): string[] {
    return ['--context', this.target.context, '--namespace', this.target.namespace, ...args];
  }

  async #run(args: readonly string[], options: CallOptions & { input?: string; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    const argv = this.#argv(args);
    return this.proc.run('kubectl', argv, {
      ...(this.env ? { env: this.env } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onLine ? { onLine: options.onLine } : {}),
      timeoutMs: options.timeoutMs ?? 120_000,
    });
  }

  async #check(args: readonly string[], options: CallOptions & { input?: string; timeoutMs?: number } = {}): Promise<string> {
    const result = await this.#run(args, options);
    return checkKube('kubectl', this.#argv(args), result).stdout;
  }

  async ping(): Promise<void> {
    await this.#check(['get', 'namespace', this.target.namespace, '--ignore-not-found', '-o', 'name'], { timeoutMs: 30_000 });
  }

  async apply(yaml: string, options: CallOptions = {}): Promise<string[]> {
    const stdout = await this.#check(['apply', '-f', '-'], { ...options, input: yaml });
    return stdout.split('\n').filter((l) => l.trim() !== '');
  }

  async get(kinds: string, selector?: string): Promise<KubeObject[]> {
    const stdout = await this.#check(['get', kinds, ...(selector ? ['-l', selector] : []), '-o', 'json']);
    const parsed = JSON.parse(stdout || '{"items":[]}') as { items?: KubeObject[] } & KubeObject;
    return parsed.items ?? [parsed];
  }

  async rolloutStatus(deployment: string, timeoutMs: number, options: CallOptions = {}): Promise<boolean> {
    const args = ['rollout', 'status', `deployment/${deployment}`, `--timeout=${Math.max(1, Math.ceil(timeoutMs / 1000))}s`];
    const result = await this.#run(args, { ...options, timeoutMs: timeoutMs + 30_000 });
    if (result.exitCode === 0) return true;
    // kubectl: `error: timed out waiting for the condition` (older) / `… deadline exceeded` / `progress deadline exceeded`
    if (/timed out waiting for the condition|deadline exceeded/i.test(result.stderr)) return false;
    checkKube('kubectl', this.#argv(args), result);
    return false;
  }

  async events(objectName: string): Promise<KubeEvent[]> {
    const stdout = await this.#check(['get', 'events', '--field-selector', `involvedObject.name=${objectName}`, '-o', 'json']);
    const items = (JSON.parse(stdout || '{"items":[]}') as { items?: RawEvent[] }).items ?? [];
    return items
      .map((e) => ({
        type: e.type ?? 'Normal',
        reason: e.reason ?? '',
        message: (e.message ?? '').trim(),
        object: `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? objectName}`,
        count: e.count,
        lastSeen: e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? undefined,
      }))
      .sort((a, b) => String(a.lastSeen ?? '').localeCompare(String(b.lastSeen ?? '')));
  }

  async logs(
    what: { pod?: string; selector?: string },
    options: { tail?: number; follow?: boolean; previous?: boolean; prefix?: boolean; signal?: AbortSignal | undefined; onLine: (line: string) => void },
  ): Promise<void> {
    const args = ['logs', ...(what.pod ? [what.pod] : ['-l', what.selector ?? '']), '--all-containers'];
    if (options.tail !== undefined) args.push(`--tail=${options.tail}`);
    if (options.follow) args.push('--follow', '--max-log-requests=20');
    if (options.previous) args.push('--previous');
    if (options.prefix) args.push('--prefix');
    const result = await this.#run(args, { signal: options.signal, onLine: options.onLine, timeoutMs: options.follow ? 0 : 60_000 });
    checkKube('kubectl', this.#argv(args), result);
  }

  async deleteByLabel(kinds: string, selector: string, options: CallOptions = {}): Promise<void> {
    await this.#check(['delete', kinds, '-l', selector, '--ignore-not-found', '--wait=true'], { ...options, timeoutMs: 300_000 });
  }

  async deleteNamespace(options: CallOptions = {}): Promise<void> {
    await this.#check(['delete', 'namespace', this.target.namespace, '--ignore-not-found', '--wait=true'], { ...options, timeoutMs: 300_000 });
  }

  portForwardArgs(service: string, local: number, remote: number): string[] {
    return this.#argv(['port-forward', `service/${service}`, `${local}:${remote}`, '--address', '127.0.0.1']);
  }
}

interface RawEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  firstTimestamp?: string | null;
  involvedObject?: { kind?: string; name?: string };
}
