/**
 * The Compose adapter (StackDeployer): `docker compose` (v2) when present, `docker-compose` (v1)
 * otherwise, `MissingCompose` when neither exists. Every call carries `-p <project>` and
 * `-f <file>`, built in one place (`#args`), so no call can forget them.
 */
import { DevpipeError } from '../errors.js';
import type { ProcessRunner, ProcessResult, StackDeployer, StackTarget } from '../ports.js';
import { lastLines } from '../process/execa-runner.js';
import { firstLine, matchComposeProblem } from './problems.js';

export interface ComposeFlavour {
  /** `docker` (v2 plugin) or `docker-compose` (v1). */
  command: string;
  /** `['compose']` for v2, `[]` for v1. */
  prefix: string[];
  version: string;
  major: 1 | 2;
}

/** Finds Compose: v2 first, then v1. Undefined when neither runs. */
export async function detectCompose(proc: ProcessRunner, env?: Record<string, string>): Promise<ComposeFlavour | undefined> {
  const tryRun = async (command: string, args: string[]): Promise<ProcessResult | undefined> => {
    try {
      const result = await proc.run(command, args, { timeoutMs: 15_000, ...(env ? { env } : {}) });
      return result.exitCode === 0 ? result : undefined;
    } catch {
      return undefined;
    }
  };
  const v2 = await tryRun('docker', ['compose', 'version', '--short']);
  if (v2) return { command: 'docker', prefix: ['compose'], version: v2.stdout.trim().replace(/^v/, ''), major: 2 };
  const v1 = await tryRun('docker-compose', ['version', '--short']);
  if (v1) return { command: 'docker-compose', prefix: [], version: v1.stdout.trim().replace(/^v/, ''), major: 1 };
  return undefined;
}

export class ComposeDeployer implements StackDeployer {
  constructor(
    private readonly proc: ProcessRunner,
    readonly flavour: ComposeFlavour,
    private readonly env?: Record<string, string>,
  ) {}

  async describe(): Promise<string> {
    return `${this.flavour.command}${this.flavour.prefix.length ? ` ${this.flavour.prefix.join(' ')}` : ''} ${this.flavour.version} (Compose v${this.flavour.major})`;
  }

  /** The pinned argument list: `[compose] -p <project> -f <file> <args…>`. */
  args(target: StackTarget, args: readonly string[]): string[] {
    return [...this.flavour.prefix, '-p', target.project, '-f', target.file, ...args];
  }

  async #run(target: StackTarget, args: readonly string[], options: { timeoutMs?: number; signal?: AbortSignal | undefined; onLine?: ((line: string) => void) | undefined } = {}): Promise<ProcessResult> {
    const full = this.args(target, args);
    const result = await this.proc.run(this.flavour.command, full, {
      cwd: target.cwd,
      timeoutMs: options.timeoutMs ?? 600_000,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onLine ? { onLine: options.onLine } : {}),
      ...(this.env || target.env ? { env: { ...this.env, ...target.env } } : {}),
    });
    if (result.exitCode === 0) return result;
    const raw = `${result.stderr}\n${result.stdout}`;
    const details = [`$ ${this.flavour.command} ${full.join(' ')}`, ...lastLines(raw, 15)];
    throw (
      matchComposeProblem(raw, details) ??
      new DevpipeError('failure', `compose ${args[0] ?? ''} failed (exit ${result.exitCode}): ${firstLine(result.stderr || result.stdout)}`, {
        details,
        hint: 'the lines above are Compose\'s own output; `devpipe logs` shows the services\' logs',
      })
    );
  }

  async up(target: StackTarget, options: { signal?: AbortSignal | undefined; onLine?: ((line: string) => void) | undefined; services?: readonly string[] | undefined } = {}): Promise<void> {
    // Images are built (or pinned and present) before this: never build here. v1 has no --pull.
    const args = options.services
      ? // The dev loop's redeploy: only these services, dependencies untouched, the old container
        // killed at once (`-t 0`) instead of waiting for its stop timeout.
        ['up', '-d', '--no-build', '--no-deps', '-t', '0']
      : ['up', '-d', '--remove-orphans', '--no-build'];
    if (this.flavour.major === 2) args.push('--pull', 'missing', '--quiet-pull');
    args.push(...(options.services ?? []));
    await this.#run(target, args, options);
  }

  async down(target: StackTarget, options: { volumes: boolean; signal?: AbortSignal | undefined }): Promise<void> {
    const args = ['down', '--remove-orphans', '--timeout', '2'];
    if (options.volumes) args.push('--volumes');
    await this.#run(target, args, { signal: options.signal });
  }

  async logs(
    target: StackTarget,
    options: { services?: readonly string[]; follow?: boolean; tail?: number; signal?: AbortSignal | undefined; onLine: (line: string) => void },
  ): Promise<void> {
    const args = ['logs', '--no-color'];
    if (options.follow) args.push('--follow');
    if (options.tail !== undefined) args.push('--tail', String(options.tail));
    args.push(...(options.services ?? []));
    const onLine = (line: string) => options.onLine(stripAnsi(line));
    await this.#run(target, args, { signal: options.signal, onLine, timeoutMs: options.follow ? 0 : 60_000 });
  }
}

/** Compose v2 writes terminal control sequences even with --no-color. */
export function stripAnsi(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

/**
 * The deployer once Compose is found: detection (`docker compose version`, half a second or more)
 * runs while the command loads and compiles, and every call waits for it.
 */
export class DeferredDeployer implements StackDeployer {
  readonly #found: Promise<StackDeployer>;

  constructor(found: Promise<StackDeployer>) {
    this.#found = found;
    // Rejections surface on the first call, never as an unhandled rejection.
    found.catch(() => undefined);
  }

  async describe(): Promise<string> {
    return (await this.#found).describe();
  }

  async up(target: StackTarget, options?: Parameters<StackDeployer['up']>[1]): Promise<void> {
    return (await this.#found).up(target, options);
  }

  async down(target: StackTarget, options: Parameters<StackDeployer['down']>[1]): Promise<void> {
    return (await this.#found).down(target, options);
  }

  async logs(target: StackTarget, options: Parameters<StackDeployer['logs']>[1]): Promise<void> {
    return (await this.#found).logs(target, options);
  }
}

/** Neither Compose v2 nor v1: every method throws the hinted environment error (exit 3). */
export class MissingCompose implements StackDeployer {
  #error(): DevpipeError {
    return new DevpipeError('environment', 'Docker Compose is not installed: neither `docker compose` (v2) nor `docker-compose` (v1) runs', {
      hint: 'install the Compose v2 plugin (Debian: `sudo bash scripts/provision-debian.sh`; elsewhere https://docs.docker.com/compose/install/) or `apt-get install docker-compose`; `devpipe doctor` checks it',
    });
  }

  async describe(): Promise<string> {
    throw this.#error();
  }

  async up(): Promise<void> {
    throw this.#error();
  }

  async down(): Promise<void> {
    throw this.#error();
  }

  async logs(): Promise<void> {
    throw this.#error();
  }
}
