/** `devpipe status`: the stack's services, found by label, with state, health and URL. */
import { stackToManage } from '../../engine/project/managed.js';
import { statusTable } from '../../ui/summaries.js';
import type { Context } from '../context.js';
import { tryLoadConfig } from '../load.js';

export async function run(ctx: Context): Promise<number> {
  const config = await tryLoadConfig(ctx);
  const managed = await stackToManage(await ctx.workspace(), await ctx.projectFiles());
  const project = managed.recorded ? managed.project : (config?.project ?? managed.project);
  const target = await ctx.target(managed.recorded ? undefined : config);
  await ctx.reporter();
  const result = await target.stack.status(project, config);
  ctx.bus.emit('result', { command: 'status', data: result.data });
  for (const line of statusTable(result)) ctx.print(line);
  return 0;
}
