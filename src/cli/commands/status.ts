/** `devpipe status`: the stack's containers, found by label, with state, health and URL. */
import { serviceUrls } from '../../engine/stack/model.js';
import { stackStatus } from '../../engine/stack/manage.js';
import type { StackConfig } from '../../spec/stack/index.js';
import type { Context } from '../context.js';
import { isKubeTarget, loadStackConfig } from '../stack.js';
import { stackToManage } from './down.js';

export async function run(ctx: Context): Promise<number> {
  let config: StackConfig | undefined;
  try {
    config = await loadStackConfig(ctx);
  } catch {
    config = undefined;
  }
  const managed = await stackToManage(ctx);
  const project = managed.recorded ? managed.project : (config?.project ?? managed.project);
  if (!managed.recorded && isKubeTarget(ctx, config)) return (await import('../kube-target.js')).runKubeStatus(ctx, project);
  await ctx.reporter();
  const docker = await ctx.docker();
  await docker.engine.info();
  const rows = await stackStatus(docker.containers, project);
  ctx.bus.emit('result', { command: 'status', data: { project, services: rows } });
  if (rows.length === 0) {
    ctx.print(`${project}: not running (devpipe up starts it)`);
    return 0;
  }
  ctx.print(`${project}:`);
  for (const row of rows) {
    const service = config?.services.find((s) => s.name === row.service);
    const urls = service ? serviceUrls(service).join(' ') : '';
    ctx.print(`  ${row.service.padEnd(12)} ${row.state.padEnd(9)} ${(row.health === 'none' ? '-' : row.health).padEnd(10)} ${urls.padEnd(24)} ${row.status}`);
  }
  return 0;
}
