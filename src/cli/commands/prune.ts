/**
 * `devpipe prune [--dry-run] [--keep N]`: remove old content-addressed tags, stopped devpipe
 * containers and dangling build images of this project (found by the `devpipe.project` label),
 * and say how much space that freed. The images a running container or a moving tag uses stay.
 */
import path from 'node:path';
import { formatBytes, projectPlan, prune } from '../../engine/prune.js';
import { DevpipeError } from '../../errors.js';
import { stackName } from '../../spec/stack/index.js';
import { imageProject } from '../../engine/project/name.js';
import type { Context } from '../context.js';
import { tryLoadConfig } from '../load.js';

export interface PruneOptions {
  dryRun?: boolean;
  keep?: string;
}

export async function run(ctx: Context, _args: unknown[], options: PruneOptions): Promise<number> {
  const keep = Number(options.keep ?? 1);
  if (!Number.isInteger(keep) || keep < 0) throw new DevpipeError('usage', `--keep ${String(options.keep)} is not a number of images`, { hint: 'for example --keep 2 (the newest images of each variant that stay)' });
  const ws = await ctx.workspace();
  const projects = [...new Set([await imageProject(ws.reader), stackName(path.basename(ctx.projectDir))])];
  // Without a valid devpipe.yaml: the directory's names only.
  const config = await tryLoadConfig(ctx);
  if (config) projects.push(config.project);
  const docker = await ctx.docker();
  await docker.engine.info();
  await ctx.reporter();
  const plan = await projectPlan(docker, projects, keep);
  const planned = plan.tags.reduce((n, t) => n + t.size, 0) + plan.dangling.reduce((n, d) => n + d.size, 0);
  if (options.dryRun === true) {
    ctx.bus.emit('result', { command: 'prune --dry-run', data: plan });
    for (const c of plan.containers) ctx.print(`would remove container ${c.name} (${c.state})`);
    for (const t of plan.tags) ctx.print(`would remove ${t.tag}`);
    for (const d of plan.dangling) ctx.print(`would remove dangling image ${d.imageId.slice(7, 19)}`);
    for (const k of plan.kept) ctx.print(`keeps ${k.tag} (${k.why})`);
    ctx.print(`dry run: ${plan.containers.length} container(s), ${plan.tags.length} tag(s), ${plan.dangling.length} dangling image(s); up to ${formatBytes(planned)}`);
    return 0;
  }
  const result = await prune(docker, ctx.bus, plan);
  await ctx.finish();
  ctx.bus.emit('result', { command: 'prune', data: { ...result, kept: plan.kept } });
  for (const problem of result.problems) ctx.bus.emit('message', { level: 'warn', text: problem });
  ctx.print(
    `removed ${result.containersRemoved} stopped container(s), ${result.tagsRemoved} old tag(s) and ${plan.dangling.length} dangling image(s); ${result.imagesDeleted} image(s) deleted, ${formatBytes(result.bytesFreed)} freed (image sizes; layers shared with kept images stay)`,
  );
  return result.problems.length > 0 ? 1 : 0;
}
