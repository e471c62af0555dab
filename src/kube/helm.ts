/**
 * HelmCli: helm 3 over ProcessRunner, built with {context, namespace}. Every cluster call goes
 * through `#argv`, which appends `--kube-context` and `--namespace`: no call can run unpinned.
 */
import { DevpipeError } from '../errors.js';
import type { CallOptions, HelmClient, HelmInstall, HelmRelease, KubeTarget } from '../engine/kube/ports.js';
import type { ProcessRunner } from '../ports.js';
import { lastLines } from '../process/execa-runner.js';
import { checkKube } from './problems.js';

export function seconds(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

/** The argv of an install, before pinning (exported for dry runs and tests). */
export function installArgs(request: HelmInstall): string[] {
  const args = request.mode === 'install' ? ['install', request.release, request.chart] : ['upgrade', '--install', request.release, request.chart];
  for (const file of request.valuesFiles) args.push('--values', file);
  for (const [key, value] of Object.entries(request.set ?? {})) args.push('--set', `${key}=${value}`);
  for (const [key, value] of Object.entries(request.setString)) args.push('--set-string', `${key}=${value}`);
  if (request.repo) args.push('--repo', request.repo);
  if (request.version) args.push('--version', request.version);
  args.push('--wait', '--timeout', seconds(request.timeoutMs));
  return args;
}

export class HelmCli implements HelmClient {
  constructor(
    private readonly proc: ProcessRunner,
    readonly target: KubeTarget,
    private readonly env?: Record<string, string>,
  ) {
    if (!target.context || !target.namespace) throw new Error('HelmCli needs a context and a namespace');
  }

  #argv(args: readonly string[]): string[] {
    return [...args, '--kube-context', this.target.context, '--namespace', this.target.namespace];
  }

  async #run(args: readonly string[], options: CallOptions & { input?: string; timeoutMs?: number } = {}) {
    const argv = this.#argv(args);
    const result = await this.proc.run('helm', argv, {
      ...(this.env ? { env: this.env } : {}),
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onLine ? { onLine: options.onLine } : {}),
      timeoutMs: options.timeoutMs ?? 120_000,
    });
    return { argv, result };
  }

  async version(): Promise<string> {
    const result = await this.proc.run('helm', ['version', '--short'], { timeoutMs: 10_000 });
    return checkKube('helm', ['version', '--short'], result, 'environment').stdout.trim();
  }

  async install(request: HelmInstall, options: CallOptions = {}): Promise<void> {
    const { argv, result } = await this.#run(installArgs(request), { ...options, input: request.stdin, timeoutMs: request.timeoutMs + 60_000 });
    if (result.exitCode === 0) return;
    // helm: `Error: UPGRADE FAILED: context deadline exceeded` / `INSTALLATION FAILED: timed out waiting for the condition`
    if (/context deadline exceeded|timed out waiting for the condition/.test(result.stderr)) {
      throw new DevpipeError('failure', `helm release ${request.release} did not become ready within ${seconds(request.timeoutMs)}`, {
        details: lastLines(result.stderr, 8),
        hint: `look at its pods: \`kubectl --context ${this.target.context} --namespace ${this.target.namespace} get pods\`, or \`devpipe status --target minikube\``,
      });
    }
    checkKube('helm', argv, result);
  }

  async test(release: string, timeoutMs: number, options: CallOptions = {}): Promise<void> {
    const { argv, result } = await this.#run(['test', release, '--logs', '--timeout', seconds(timeoutMs)], { ...options, timeoutMs: timeoutMs + 60_000 });
    if (result.exitCode === 0) return;
    // helm 3: `Error: pod <release>-test-… failed` (or `1 error occurred: * pod … failed`)
    const pod = result.stderr.match(/pod (\S+) failed/)?.[1];
    if (pod) {
      throw new DevpipeError('failure', `helm test of ${release} failed: test pod ${pod}`, {
        details: lastLines(`${result.stdout}\n${result.stderr}`, 20),
        hint: `the chart's test (e.g. service-checker) found a problem; the release is still up: \`devpipe logs --target minikube\``,
      });
    }
    checkKube('helm', argv, result);
  }

  async uninstall(release: string, options: CallOptions = {}): Promise<void> {
    const { argv, result } = await this.#run(['uninstall', release], { ...options, timeoutMs: 300_000 });
    if (result.exitCode !== 0 && /release: not found/.test(result.stderr)) return;
    checkKube('helm', argv, result);
  }

  async list(): Promise<HelmRelease[]> {
    const { argv, result } = await this.#run(['list', '--all', '-o', 'json']);
    const stdout = checkKube('helm', argv, result).stdout;
    const rows = JSON.parse(stdout || '[]') as { name: string; status: string; chart: string; revision: string | number }[];
    return rows.map((r) => ({ name: r.name, status: r.status, chart: r.chart, revision: String(r.revision) }));
  }
}
