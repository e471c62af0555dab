/**
 * `devpipe dev --target minikube`: up on the cluster, then watch; every change that reaches an
 * image (or a spec file) runs `kubeUp` again, which is idempotent: unchanged images are not
 * rebuilt (content-addressed tags) and only Deployments whose image changed roll out. A failed
 * iteration is reported and the loop goes on. The hot path and per-service redeploys of the
 * Compose target are not used here.
 */
import { addChanges, describeFiles, emptyChangeSet, isEmpty, isNoise } from '../../engine/dev/changes.js';
import { Debouncer } from '../../engine/dev/debounce.js';
import { inputMatcher } from '../../engine/dev/inputs.js';
import { toDevpipeError } from '../../errors.js';
import { STACK_FILE } from '../../spec/stack/index.js';
import type { StackConfig } from '../../spec/stack/types.js';
import { defaultBlubberFile } from '../../engine/project/blubber.js';
import { dockerignorePatterns } from '../../engine/project/workspace.js';
import { kubeUp } from '../../engine/targets/kube/up.js';
import type { LoadedStack } from '../../engine/targets/types.js';
import type { Context } from '../context.js';
import { loadStack } from '../load.js';

interface State {
  config: StackConfig;
  stack: LoadedStack;
  targets: Map<string, (relative: string) => boolean>;
}

async function load(ctx: Context, secretsFile: string | undefined, e2e: boolean): Promise<State> {
  const stack = await loadStack(ctx, { secretsFile, requireAll: true });
  const ws = await ctx.workspace();
  const builds = await stack.compile({ withSuite: e2e });
  const ignorePatterns = await dockerignorePatterns(ws.reader);
  const targets = new Map(builds.map((b) => [b.key, inputMatcher({ name: b.key, extraEntries: b.image.extraEntries, ignorePatterns, sendProject: b.image.sendProject }, (p) => ws.ignoreMatcher(p))]));
  return { config: stack.config, stack, targets };
}

export async function devOnKube(ctx: Context, options: Record<string, unknown>): Promise<number> {
  const signal = options.signal as AbortSignal;
  const secretsFile = options.secrets as string | undefined;
  const e2e = options.e2e === true;
  await ctx.reporter('dev');
  let state = await load(ctx, secretsFile, e2e);
  const ports = await (await import('../adapters.js')).kubePorts(ctx);
  const deploy = async () => kubeUp(ports, state.stack, signal, e2e);
  const first = await deploy();
  const specFiles = [STACK_FILE, defaultBlubberFile, '.pipeline/config.yaml', '.dockerignore'];
  let n = 0;
  let pending = new Set<string>();
  let running: Promise<void> | undefined;
  const iterate = async (paths: string[]): Promise<void> => {
    const changes = addChanges(emptyChangeSet(), paths, { specFiles, images: state.targets });
    if (isEmpty(changes)) return;
    const started = Date.now();
    const reason = [...new Set([...changes.specs, ...[...changes.affected.values()].flat()])];
    ctx.bus.emit('dev:iteration', { n: ++n, phase: 'start', reason });
    try {
      if (changes.specs.length > 0) state = await load(ctx, secretsFile, e2e);
      await deploy();
      ctx.bus.emit('dev:iteration', { n, phase: 'end', reason, outcome: 'ok', durationMs: Date.now() - started, detail: `rolled out what changed (${describeFiles(reason)})` });
    } catch (error) {
      if (signal.aborted) return;
      const failure = toDevpipeError(error);
      ctx.bus.emit('message', { level: 'error', text: [failure.message, ...failure.details].join('\n') });
      ctx.bus.emit('dev:iteration', { n, phase: 'end', reason, outcome: 'failed', durationMs: Date.now() - started, detail: failure.message });
    }
  };
  const debouncer = new Debouncer(() => {
    if (running || pending.size === 0) return;
    const batch = [...pending];
    pending = new Set();
    running = iterate(batch).finally(() => {
      running = undefined;
      if (pending.size > 0) debouncer.touch();
    });
  });
  const handle = (await ctx.watcher()).watch(ctx.projectDir, {
    ignore: (relative) => isNoise(relative),
    onEvent: (event) => {
      if (event.kind === 'addDir') return;
      pending.add(event.path);
      debouncer.touch();
    },
    onError: (error) => ctx.bus.emit('message', { level: 'warn', text: `watcher: ${error.message}` }),
  });
  await handle.ready;
  ctx.bus.emit('message', { level: 'info', text: `watching for changes; the stack runs on ${first.setup.target.context}/${first.setup.target.namespace}` });
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  debouncer.cancel();
  await running;
  await handle.close();
  ctx.bus.emit('message', { level: 'info', text: 'stopped; the stack stays up on the cluster (devpipe down --target minikube removes it)' });
  return 0;
}
