/**
 * `devpipe down [--volumes] [--images]`: remove everything devpipe created for this project's
 * stack (found by its pinned project name and labels), and the fake secret files it wrote. Named
 * volumes stay unless --volumes. Works even when devpipe.yaml is broken.
 */
import { stackToManage } from '../../engine/project/managed.js';
import { downSentence } from '../../ui/summaries.js';
import type { Context } from '../context.js';
import { tryLoadConfig } from '../load.js';

export interface DownOptions {
  volumes?: boolean;
  images?: boolean;
  signal?: AbortSignal;
}

export async function run(ctx: Context, _args: unknown[], options: DownOptions): Promise<number> {
  const managed = await stackToManage(await ctx.workspace(), await ctx.projectFiles());
  // What `up` recorded here runs on Compose; otherwise the config (when it loads) says where.
  const target = await ctx.target(managed.recorded ? undefined : await tryLoadConfig(ctx));
  await ctx.reporter();
  const result = await target.stack.down(managed.project, { volumes: options.volumes === true, images: options.images === true, signal: options.signal });
  await ctx.finish();
  ctx.bus.emit('result', { command: 'down', data: result.data });
  ctx.print(downSentence(result));
  return 0;
}
