/**
 * MinikubeCli: minikube over ProcessRunner, pinned to one profile (`-p`) on every call.
 * Reads `status -o json` ({"Name","Host","Kubelet","APIServer","Kubeconfig","Worker"}; exit code
 * is a bit field: 1 host, 2 cluster, 4 kubernetes not OK, 85 profile not found), `profile list
 * -o json` ({"invalid":[…],"valid":[{"Name","Status","Config":{"KubernetesConfig":{"ContainerRuntime"}}}]}),
 * `docker-env --shell none` (KEY=VALUE lines) and `ip`.
 */
import { DevpipeError } from '../errors.js';
import type { CallOptions, MinikubeClient, MinikubeStatus } from '../engine/kube/ports.js';
import type { ProcessRunner } from '../ports.js';
import { checkKube, matchKubeProblem } from './problems.js';

/** minikube's own default profile name (and the kube context it writes). */
export const DEFAULT_PROFILE = 'minikube';

export function parseEnvLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '');
    const match = line.match(/^([A-Z_][A-Z0-9_]*)=(.*)$/);
    if (!match || line.startsWith('#')) continue;
    const value = (match[2] ?? '').replace(/^"(.*)"$/, '$1');
    if (value !== '') env[match[1]!] = value;
  }
  return env;
}

export class MinikubeCli implements MinikubeClient {
  constructor(
    private readonly proc: ProcessRunner,
    readonly profile: string = DEFAULT_PROFILE,
  ) {}

  #argv(args: readonly string[]): string[] {
    return ['-p', this.profile, ...args];
  }

  async #run(args: readonly string[], options: CallOptions & { timeoutMs?: number } = {}) {
    const argv = this.#argv(args);
    const result = await this.proc.run('minikube', argv, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onLine ? { onLine: options.onLine } : {}),
      timeoutMs: options.timeoutMs ?? 60_000,
    });
    return { argv, result };
  }

  async status(): Promise<MinikubeStatus> {
    const { result } = await this.#run(['status', '-o', 'json']);
    try {
      const parsed = JSON.parse(result.stdout) as { Host?: string; APIServer?: string; Kubeconfig?: string } | { Host?: string; APIServer?: string; Kubeconfig?: string }[];
      const first = Array.isArray(parsed) ? parsed[0] ?? {} : parsed;
      const host = first.Host ?? 'Unknown';
      const apiServer = first.APIServer ?? 'Unknown';
      return { host, apiServer, kubeconfig: first.Kubeconfig ?? 'Unknown', running: host === 'Running' && apiServer === 'Running' };
    } catch {
      // not JSON: `* Profile "x" not found. …` (exit 85)
      if (/Profile "[^"]+" not found/.test(`${result.stdout}\n${result.stderr}`)) return { host: 'Nonexistent', apiServer: 'Nonexistent', kubeconfig: 'Nonexistent', running: false };
      return { host: 'Unknown', apiServer: 'Unknown', kubeconfig: 'Unknown', running: false };
    }
  }

  async runtime(): Promise<string | undefined> {
    const result = await this.proc.run('minikube', ['profile', 'list', '-o', 'json'], { timeoutMs: 30_000 });
    try {
      const list = JSON.parse(result.stdout) as { valid?: { Name?: string; Config?: { KubernetesConfig?: { ContainerRuntime?: string } } }[] };
      return list.valid?.find((p) => p.Name === this.profile)?.Config?.KubernetesConfig?.ContainerRuntime || undefined;
    } catch {
      return undefined;
    }
  }

  async dockerEnv(): Promise<Record<string, string>> {
    const { argv, result } = await this.#run(['docker-env', '--shell', 'none']);
    const env = parseEnvLines(checkKube('minikube', argv, result, 'environment').stdout);
    if (!env.DOCKER_HOST) {
      throw new DevpipeError('environment', `\`minikube ${argv.join(' ')}\` printed no DOCKER_HOST`, { details: result.stdout.split('\n').slice(0, 5), hint: 'run it yourself to see why; `minikube start` may help' });
    }
    return env;
  }

  async imageLoad(ref: string, options: CallOptions = {}): Promise<void> {
    const { argv, result } = await this.#run(['image', 'load', ref, '--daemon'], { ...options, timeoutMs: 600_000 });
    if (result.exitCode === 0) return;
    const known = matchKubeProblem('minikube', `${result.stderr}\n${result.stdout}`);
    if (known) throw known;
    throw new DevpipeError('environment', `minikube could not load the image ${ref} into the cluster`, {
      details: `${result.stderr}\n${result.stdout}`.split('\n').filter((l) => l.trim()).slice(-8),
      hint: `is ${ref} in this machine's Docker engine (\`docker image inspect ${ref}\`)? \`minikube ${argv.join(' ')}\` shows the full error`,
    });
  }

  async ip(): Promise<string> {
    const { argv, result } = await this.#run(['ip']);
    return checkKube('minikube', argv, result, 'environment').stdout.trim();
  }
}
