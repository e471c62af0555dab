/**
 * `devpipe dev`: bring the stack up, then watch the project and, for every change, rebuild
 * exactly the images whose inputs changed, redeploy only those services, and run the tests. Keys
 * on a TTY: r rebuild all, e e2e, l logs, q quit. Ctrl-C stops in-flight builds cleanly; the stack
 * stays up unless --down-on-exit.
 */
import path from 'node:path';
import type { CompiledBuild } from '../../compile/index.js';
import { DevLoop } from '../../engine/dev/loop.js';
import type { DevBuild, DevPlan } from '../../engine/dev/plan.js';
import { downStack } from '../../engine/stack/manage.js';
import { STACK_FILE } from '../../spec/stack/index.js';
import type { StackConfig } from '../../spec/stack/types.js';
import type { DevView } from '../../ui/dev-view.js';
import { compileAll, defaultBlubberFile, loadProjectBlubber } from '../../engine/project/blubber.js';
import { dockerignorePatterns } from '../../engine/project/workspace.js';
import { parseStackOverrides } from '../../engine/project/zero-config.js';
import type { Context } from '../context.js';
import { loadConfig, loadStack } from '../load.js';

const PIPELINE_FILE = '.pipeline/config.yaml';

async function testBuild(ctx: Context, config: StackConfig, variant: string | false | undefined): Promise<DevBuild | undefined> {
  if (variant === false) return undefined;
  const file = config.services.find((s) => s.image.kind === 'build')?.image;
  const blubber = file?.kind === 'build' ? file.blubber : defaultBlubberFile;
  const { config: spec, images } = await loadProjectBlubber(await ctx.workspace(), blubber);
  const name = variant ?? 'test';
  if (!spec.variants[name]) {
    if (variant !== undefined) {
      const { DevpipeError } = await import('../../errors.js');
      throw new DevpipeError('usage', `--test-variant ${name}: ${blubber} has no variant "${name}"`, { hint: `variants: ${Object.keys(spec.variants).join(', ')}` });
    }
    return undefined;
  }
  const [image] = compileAll(ctx.bus, spec, [name], {}, images);
  return image ? { key: `${blubber}#${name}`, image, stages: image.stages } : undefined;
}

async function loadPlan(ctx: Context, options: Record<string, unknown>): Promise<DevPlan> {
  const stack = await loadStack(ctx, { secretsFile: options.secrets as string | undefined, requireAll: true });
  const { config, secrets } = stack;
  const builds = (await stack.compile({ withSuite: config.e2e !== undefined })).map((b) => ({ ...b, stages: (b.image as CompiledBuild).stages }));
  const tests = await testBuild(ctx, config, options.test === false ? false : (options.testVariant as string | undefined));
  const blubberFiles = [...new Set(config.services.flatMap((s) => (s.image.kind === 'build' ? [s.image.blubber] : [])))];
  return {
    config,
    builds,
    secrets: secrets.resolved,
    specFiles: [...new Set([STACK_FILE, PIPELINE_FILE, defaultBlubberFile, ...blubberFiles, '.dockerignore'])],
    ignorePatterns: await dockerignorePatterns((await ctx.workspace()).reader),
    tests,
    revision: await ctx.revision(),
  };
}

function bindKeys(ctx: Context, loop: DevLoop, view: DevView | undefined, quit: () => void): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY || ctx.options.json) return () => undefined;
  stdin.setRawMode(true);
  stdin.resume();
  const onData = (data: Buffer) => {
    const key = data.toString();
    if (key === 'q' || key === '\u0003') quit();
    else if (key === 'r') loop.rebuildAll();
    else if (key === 'e') void loop.e2e();
    else if (key === 'l') view?.toggleLogs();
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}

export async function run(ctx: Context, _args: unknown[], options: Record<string, unknown>): Promise<number> {
  const signal = options.signal as AbortSignal;
  ctx.overrides = parseStackOverrides(options);
  const reporter = await ctx.reporter('dev');
  if (ctx.targetName(await loadConfig(ctx)) === 'minikube') {
    return (await import('../kube/dev.js')).devOnKube(ctx, options);
  }
  const plan = await loadPlan(ctx, options);
  const docker = await ctx.docker();
  await docker.engine.info();
  const [ports, watcher, { ignoreMatcher }, { NodeFileFingerprints }] = await Promise.all([(await import('../adapters.js')).stackPorts(ctx), ctx.watcher(), import('../../docker/context.js'), import('../../fs/fingerprints.js')]);
  await ports.deployer.describe();
  const stop = new AbortController();
  const loop = new DevLoop(
    { ...ports, watcher, fingerprints: new NodeFileFingerprints(ports.files.root), syncer: docker.syncer, replacer: docker.replacer },
    ctx.bus,
    plan,
    {
      reload: () => loadPlan(ctx, options),
      matcher: (patterns) => ignoreMatcher(patterns),
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
  const unbind = bindKeys(ctx, loop, view, () => stop.abort());
  try {
    await ctx.withLock('dev', signal, () => loop.start());
    await loop.ready();
    ctx.bus.emit('message', { level: 'info', text: `watching ${path.basename(ctx.projectDir)} for changes (${plan.builds.length} image(s) built here${plan.tests ? `, tests: ${plan.tests.image.variant}` : ''})` });
    await stopped;
  } finally {
    unbind();
    await loop.stop();
    if (options.downOnExit === true && loop.target) {
      await downStack(ports, ctx.bus, plan.config.project, loop.target, { volumes: false });
    }
  }
  ctx.bus.emit('message', { level: 'info', text: options.downOnExit === true ? 'stopped; the stack was taken down' : 'stopped; the stack stays up (devpipe down removes it)' });
  return 0;
}
