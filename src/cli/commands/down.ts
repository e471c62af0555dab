/**
 * `devpipe down [--volumes]`: remove everything devpipe created for this project's stack (found by
 * its pinned project name and labels), and the fake secret files it wrote. Named volumes stay
 * unless --volumes. Works even when devpipe.yaml is broken (falls back to the directory name).
 */
import path from 'node:path';
import { COMPOSE_FILE, recordedProject, SECRETS_DIR, STATE_DIR, stackTarget } from '../../engine/stack/files.js';
import { downStack } from '../../engine/stack/manage.js';
import { LABEL_PROJECT, LABEL_ROLE } from '../../engine/stack/model.js';
import { DevpipeError } from '../../errors.js';
import { stackName } from '../../spec/stack/index.js';
import type { Context } from '../context.js';
import { loadStackConfig, stackPorts, wantsKube, withProjectLock } from '../stack.js';

export async function projectName(ctx: Context): Promise<string> {
  try {
    return (await loadStackConfig(ctx)).project;
  } catch (error) {
    if (!(error instanceof DevpipeError) || error.kind !== 'spec') throw error;
    const fallback = stackName(path.basename(ctx.projectDir));
    ctx.bus.emit('message', { level: 'warn', text: `${error.message}; using the stack name "${fallback}"` });
    return fallback;
  }
}

/**
 * The stack to act on: the one `up` recorded here (what runs, whatever devpipe.yaml says now),
 * else devpipe.yaml's, else the directory name. `down` never depends on the current config
 * loading or being deployable.
 */
export async function stackToManage(ctx: Context): Promise<{ project: string; recorded: boolean }> {
  const recorded = await recordedProject(await ctx.projectFiles());
  if (recorded) return { project: recorded, recorded: true };
  return { project: await projectName(ctx), recorded: false };
}

export async function run(ctx: Context, _args: unknown[], options: Record<string, unknown>): Promise<number> {
  const { project, recorded } = await stackToManage(ctx);
  if (!recorded && (await wantsKube(ctx))) return (await import('../kube-target.js')).runKubeDown(ctx, project, options);
  const docker = await ctx.docker();
  await docker.engine.info();
  const ports = await stackPorts(ctx);
  const hasFile = (await ports.files.read(COMPOSE_FILE)) !== undefined;
  await ctx.reporter();
  const { sweepDeadRuns } = await import('../ci/owner.js');
  await sweepDeadRuns(ctx.projectDir, ports.containers, ctx.bus, (value) => ctx.redactor.value(value));
  const signal = options.signal as AbortSignal | undefined;
  const result = await withProjectLock(ctx, 'down', signal, () =>
    downStack(ports, ctx.bus, project, hasFile ? stackTarget(ports.files.root, project) : undefined, { volumes: options.volumes === true, signal }),
  );
  const removedImages: string[] = [];
  if (options.images === true) {
    for (const image of await ports.images.list({ [LABEL_PROJECT]: project, [LABEL_ROLE]: 'stack' })) {
      await ports.images.remove(image.id, { force: true });
      removedImages.push(image.tags[0] ?? image.id);
    }
  }
  await ports.files.remove(SECRETS_DIR);
  await ports.files.remove(`${STATE_DIR}/stack`);
  await ctx.finish();
  ctx.bus.emit('result', { command: 'down', data: { project, swept: result.swept, volumes: options.volumes === true, removedVolumes: result.volumes, images: removedImages } });
  const volumes = options.volumes === true ? (result.volumes.length > 0 ? ` with its volumes (${result.volumes.join(', ')})` : ' (it had no named volumes)') : ' (named volumes kept; --volumes removes them)';
  ctx.print(`${project} removed${volumes}${result.swept.length ? `; also removed ${result.swept.join(', ')}` : ''}${removedImages.length ? `; removed ${removedImages.length} image(s)` : ''}`);
  return 0;
}
