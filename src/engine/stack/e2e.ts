/**
 * `e2e`: run the suite as a container on the stack's network (services reachable by name), with
 * its secrets mounted at /run/secrets/<name>; stream its output; its exit code is the result. On
 * failure every service's logs are saved under `.devpipe/reports/<run>/`. Talks to ports only.
 */
import path from 'node:path';
import { DevpipeError, InternalError } from '../../errors.js';
import type { ContainerRunner, ProjectFiles, RunRequest, StackDeployer, StackTarget } from '../../ports.js';
import type { EventBus } from '../events.js';
import { REPORTS_DIR, secretPath } from './files.js';
import { serviceStates, stackContainers } from './health.js';
import { LABEL_RUN, type StackModel, type SuiteModel } from './model.js';
import type { ResolvedSecret } from './secrets.js';

export interface SuiteResult {
  exitCode: number;
  durationMs: number;
  /** Where the services' logs were saved (on failure). */
  reportDir?: string | undefined;
}

export function suiteRequest(model: StackModel, suite: SuiteModel, root: string, run: string, secrets: readonly ResolvedSecret[]): RunRequest {
  if (!suite.imageRef) throw new InternalError('the e2e suite has no image to run');
  const values = new Map(secrets.map((s) => [s.name, s.value]));
  const env: Record<string, string> = { ...suite.env };
  for (const use of suite.secrets) if (use.env) env[use.env] = values.get(use.name) ?? '';
  return {
    image: suite.imageRef,
    name: `${model.project}-e2e-${run}`,
    entrypoint: suite.command,
    command: suite.args,
    env,
    labels: { ...suite.labels, [LABEL_RUN]: run },
    network: model.network,
    binds: suite.secrets.filter((s) => s.file).map((s) => ({ host: path.join(root, secretPath(s.name)), container: `/run/secrets/${s.name}` })),
  };
}

/** The stack must be up (every service ready) before the suite runs. */
export async function requireStackUp(containers: ContainerRunner, model: StackModel): Promise<void> {
  const states = serviceStates(model, await stackContainers(containers, model.project));
  const down = states.filter((s) => !s.ready);
  if (down.length > 0) {
    throw new DevpipeError('usage', `the stack is not up: ${down.map((s) => `${s.service} (${s.status})`).join(', ')}`, {
      hint: 'run `devpipe up` first, or `devpipe e2e --up` to bring it up and test in one command',
    });
  }
}

export async function saveServiceLogs(
  ports: { deployer: StackDeployer; files: ProjectFiles },
  model: StackModel,
  target: StackTarget,
  run: string,
  redact: (text: string) => string,
): Promise<string> {
  const dir = `${REPORTS_DIR}/${run}`;
  for (const service of model.services) {
    const lines: string[] = [];
    try {
      await ports.deployer.logs(target, { services: [service.name], onLine: (line) => lines.push(redact(line)) });
    } catch (error) {
      lines.push(`(could not read the logs: ${redact((error as Error).message)})`);
    }
    await ports.files.write(`${dir}/${service.name}.log`, `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  return dir;
}

export async function runSuite(
  ports: { containers: ContainerRunner; deployer: StackDeployer; files: ProjectFiles },
  bus: EventBus,
  model: StackModel,
  target: StackTarget,
  options: { run: string; secrets: readonly ResolvedSecret[]; redact: (text: string) => string; signal?: AbortSignal | undefined },
): Promise<SuiteResult> {
  const suite = model.suite;
  if (!suite) {
    throw new DevpipeError('usage', 'this stack has no e2e suite', { hint: 'add an `e2e:` section to .pipeline/devpipe.yaml (a Blubber variant, or an image + command)' });
  }
  const id = 'e2e';
  const started = Date.now();
  const timeout = AbortSignal.timeout(suite.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  bus.emit('task:start', { id, title: `e2e suite (${suite.imageRef ?? '?'})` });
  let exitCode: number;
  let containerId: string | undefined;
  try {
    const result = await ports.containers.run({
      ...suiteRequest(model, suite, ports.files.root, options.run, options.secrets),
      signal,
      onOutput: (line, stream) => bus.emit('task:log', { id, line, stream }),
    });
    exitCode = result.exitCode;
    containerId = result.containerId;
  } catch (error) {
    bus.emit('task:end', { id, status: 'failed', durationMs: Date.now() - started });
    if (timeout.aborted && !options.signal?.aborted) {
      throw new DevpipeError('failure', `the e2e suite did not finish within ${Math.round(suite.timeoutMs / 1000)}s`, { hint: 'raise `e2e.timeout` in .pipeline/devpipe.yaml, or look for a hang' });
    }
    throw error;
  } finally {
    const leftovers = await ports.containers.list({ [LABEL_RUN]: options.run }).catch(() => []);
    for (const c of leftovers) await ports.containers.remove(c.id).catch(() => undefined);
    if (containerId) await ports.containers.remove(containerId).catch(() => undefined);
  }
  const durationMs = Date.now() - started;
  if (exitCode === 0) {
    bus.emit('task:end', { id, status: 'ok', durationMs });
    return { exitCode, durationMs };
  }
  bus.emit('task:end', { id, status: 'failed', durationMs, detail: `exit code ${exitCode}` });
  const reportDir = await saveServiceLogs(ports, model, target, options.run, options.redact);
  return { exitCode, durationMs, reportDir };
}
