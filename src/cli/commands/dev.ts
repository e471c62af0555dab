/**
 * `devpipe dev`: bring the stack up, then watch the project and, for every change, rebuild
 * exactly the images whose inputs changed, redeploy only those services, and run the tests, on
 * whichever target this run uses (engine/dev through the target's DevTarget). Keys on a TTY: r
 * rebuild all, e e2e, l logs, q quit. Ctrl-C stops in-flight work; the stack stays up unless
 * --down-on-exit.
 */
import path from 'node:path';
import { loadDevPlan } from '../../engine/dev/load-plan.js';
import { DevLoop } from '../../engine/dev/loop.js';
import { parseStackOverrides } from '../../engine/project/zero-config.js';
import { bindDevKeys } from '../../ui/dev-keys.js';
import type { DevView } from '../../ui/dev-view.js';
import type { Context } from '../context.js';
import { loadStack } from '../load.js';

export interface DevOptions {
  e2e?: boolean;
  blubber?: string;
  variant?: string;
  port?: string;
  downOnExit?: boolean;
  testVariant?: string;
  test?: boolean;
  sync?: boolean;
  restartAfterSync?: boolean;
  logs?: boolean;
  secrets?: string;
  signal: AbortSignal;
}

export async function run(ctx: Context, _args: unknown[], options: DevOptions): Promise<number> {
  const signal = options.signal;
  ctx.overrides = parseStackOverrides(options);
  const reporter = await ctx.reporter('dev');
  const ws = await ctx.workspace();
  const load = async () => {
    const stack = await loadStack(ctx, { secretsFile: options.secrets, requireAll: true });
    return { stack, plan: await loadDevPlan(ws, stack, { testVariant: options.test === false ? false : options.testVariant, revision: await ctx.revision() }) };
  };
  const first = await load();
  const deploy = await ctx.target(first.stack.config);
  const target = await deploy.dev(first.stack.config.project);
  const [watcher, fingerprints] = await Promise.all([ctx.watcher(), ctx.fingerprints()]);
  const stop = new AbortController();
  const loop = new DevLoop(
    { target, watcher, fingerprints, root: ctx.projectDir },
    ctx.bus,
    first.plan,
    {
      reload: async () => (await load()).plan,
      matcher: (patterns) => ws.ignoreMatcher(patterns),
      tests: options.test !== false,
      e2eAfterDeploy: options.e2e === true,
      sync: options.sync !== false,
      restartAfterSync: typeof options.restartAfterSync === 'boolean' ? options.restartAfterSync : undefined,
      logs: options.logs !== false,
    },
    AbortSignal.any([signal, stop.signal]),
  );
  const view = 'toggleLogs' in reporter ? (reporter as DevView) : undefined;
  const stopped = new Promise<void>((resolve) => {
    signal.addEventListener('abort', () => resolve(), { once: true });
    stop.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const unbind = ctx.options.json
    ? () => undefined
    : bindDevKeys(process.stdin, { rebuildAll: () => loop.rebuildAll(), e2e: () => void loop.e2e(), toggleLogs: () => view?.toggleLogs(), quit: () => stop.abort() });
  try {
    await ctx.withLock('dev', signal, () => loop.start());
    await loop.ready();
    const { plan } = first;
    if (!signal.aborted && !stop.signal.aborted) ctx.bus.emit('message', { level: 'info', text: `watching ${path.basename(ctx.projectDir)} for changes (${plan.builds.length} image(s) built here${plan.tests ? `, tests: ${plan.tests.image.variant}` : ''}); the stack runs on ${target.where}` });
    await stopped;
  } finally {
    unbind();
    await loop.stop();
    if (options.downOnExit === true && loop.deployment) await deploy.stack.down(loop.deployment.model.project, { volumes: false, images: false });
  }
  ctx.bus.emit('message', { level: 'info', text: options.downOnExit === true ? 'stopped; the stack was taken down' : 'stopped; the stack stays up (devpipe down removes it)' });
  return 0;
}
