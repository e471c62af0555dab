/**
 * `e2e` on the cluster: the suite runs as a Job in the project's namespace (services reachable by
 * name, secrets at /run/secrets/<name>); its output is streamed; its exit code is the result. On
 * failure every service's logs are saved under `.devpipe/reports/<run>/`, as on compose.
 */
import { DevpipeError } from '../../errors.js';
import type { ProjectFiles } from '../../ports.js';
import type { EventBus } from '../events.js';
import { REPORTS_DIR } from '../stack/files.js';
import type { StackModel } from '../stack/model.js';
import { manifestsYaml } from './deploy.js';
import { hintFor, podState, rolloutError, type PodState } from './diagnose.js';
import { jobName, suiteJob } from './manifests.js';
import { projectSelector, serviceSelector, LABEL_RUN } from './names.js';
import type { KubeClient } from './ports.js';
import { LABEL_ROLE, LABEL_SERVICE } from '../labels.js';

export interface KubeSuiteOptions {
  run: string;
  pullPolicy?: 'IfNotPresent' | 'Never';
  redact: (text: string) => string;
  signal?: AbortSignal | undefined;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface KubeSuiteResult {
  exitCode: number;
  durationMs: number;
  reportDir?: string | undefined;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every service must have a ready pod before the suite runs. */
export async function requireKubeStackUp(kubectl: KubeClient, model: StackModel, skip: ReadonlySet<string> = new Set()): Promise<void> {
  const pods = await kubectl.get('pods', projectSelector(model.project, { [LABEL_ROLE]: 'stack' }));
  const down = model.services
    .filter((s) => !skip.has(s.name))
    .filter((s) => !pods.some((p) => p.metadata.labels?.[LABEL_SERVICE] === s.name && podState(p).ready))
    .map((s) => s.name);
  if (down.length > 0) {
    throw new DevpipeError('usage', `the stack is not up on ${kubectl.target.context}/${kubectl.target.namespace}: ${down.join(', ')} not ready`, {
      hint: 'run `devpipe up --target minikube` first, or `devpipe e2e --target minikube --up`',
    });
  }
}

export async function saveKubeLogs(kubectl: KubeClient, files: ProjectFiles, model: StackModel, run: string, redact: (t: string) => string): Promise<string> {
  const dir = `${REPORTS_DIR}/${run}`;
  for (const service of model.services) {
    const lines: string[] = [];
    await kubectl.logs({ selector: serviceSelector(model.project, service.name) }, { tail: 500, prefix: true, onLine: (l) => lines.push(redact(l)) }).catch((error: Error) => lines.push(`(could not read the logs: ${redact(error.message)})`));
    await files.write(`${dir}/${service.name}.log`, `${lines.join('\n')}\n`, { mode: 0o600 });
  }
  return dir;
}

export async function runKubeSuite(ports: { kubectl: KubeClient; files: ProjectFiles }, bus: EventBus, model: StackModel, options: KubeSuiteOptions): Promise<KubeSuiteResult> {
  const { kubectl } = ports;
  const suite = model.suite;
  if (!suite) throw new DevpipeError('usage', 'this stack has no e2e suite', { hint: 'add an `e2e:` section to .pipeline/devpipe.yaml' });
  const sleep = options.sleep ?? defaultSleep;
  const poll = options.pollMs ?? 1000;
  const started = Date.now();
  const deadline = started + suite.timeoutMs;
  const selector = `${LABEL_RUN}=${options.run}`;
  const id = 'e2e';
  bus.emit('task:start', { id, title: `e2e suite as job/${jobName(options.run)} (${suite.imageRef ?? '?'})` });
  const fail = (error: unknown) => {
    bus.emit('task:end', { id, status: 'failed', durationMs: Date.now() - started });
    return error;
  };
  try {
    await kubectl.apply(manifestsYaml([suiteJob(model, suite, kubectl.target.namespace, options.run, options.pullPolicy)]), { signal: options.signal });
    // Wait for the pod to start (or to fail to).
    let state: PodState | undefined;
    for (;;) {
      if (options.signal?.aborted) throw new DevpipeError('interrupted', 'interrupted');
      const pod = (await kubectl.get('pods', selector))[0];
      state = pod ? podState(pod) : undefined;
      if (state && (state.phase === 'Running' || state.phase === 'Succeeded' || state.phase === 'Failed')) break;
      if (state && /BackOff|ErrImage|Invalid|Config|Unschedulable/.test(state.reason)) {
        throw rolloutError('the e2e suite', Date.now() - started, state, await kubectl.events(state.name).catch(() => []), []);
      }
      if (Date.now() > deadline) throw new DevpipeError('failure', `the e2e suite did not start within ${Math.round(suite.timeoutMs / 1000)}s${state ? `: pod ${state.name} is ${state.reason}` : ''}`, { hint: state ? hintFor(state, 'e2e') : 'raise `e2e.timeout`' });
      await sleep(poll);
    }
    await kubectl.logs({ pod: state.name }, { follow: true, signal: options.signal, onLine: (line) => bus.emit('task:log', { id, line }) }).catch(() => undefined);
    // The exit code, once the pod is done.
    let exitCode: number | undefined;
    for (;;) {
      const pod = (await kubectl.get('pods', selector))[0];
      const s = pod ? podState(pod) : undefined;
      if (s && (s.phase === 'Succeeded' || s.phase === 'Failed')) {
        exitCode = s.exitCode ?? (s.phase === 'Succeeded' ? 0 : 1);
        break;
      }
      if (Date.now() > deadline) {
        throw new DevpipeError('failure', `the e2e suite did not finish within ${Math.round(suite.timeoutMs / 1000)}s`, { hint: 'raise `e2e.timeout` in .pipeline/devpipe.yaml, or look for a hang' });
      }
      await sleep(poll);
    }
    const durationMs = Date.now() - started;
    if (exitCode === 0) {
      bus.emit('task:end', { id, status: 'ok', durationMs });
      return { exitCode, durationMs };
    }
    bus.emit('task:end', { id, status: 'failed', durationMs, detail: `exit code ${exitCode}` });
    return { exitCode, durationMs, reportDir: await saveKubeLogs(kubectl, ports.files, model, options.run, options.redact) };
  } catch (error) {
    throw fail(error);
  }
}
