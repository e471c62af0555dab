/**
 * `devpipe import-staging [service] --charts DIR`: derive `.pipeline/devpipe.yaml` from staging's
 * own configuration (a deployment-charts checkout); prints the layers, the services, what was
 * adapted, and what was written (engine/staging/local.ts).
 */
import { importStagingInto } from '../../engine/staging/local.js';
import { stagingImportLines } from '../../ui/staging.js';
import type { Context } from '../context.js';

export interface ImportStagingOptions {
  charts?: string;
  release?: string;
  routes?: string;
  general?: string;
  listeners?: string;
  external?: string[];
  output?: string;
  checkout?: boolean;
  publish?: boolean;
  force?: boolean;
  dryRun?: boolean;
}

export async function run(ctx: Context, args: unknown[], options: ImportStagingOptions): Promise<number> {
  const host = await ctx.stagingHost();
  await ctx.reporter();
  const output = options.output ?? '.pipeline/devpipe.yaml';
  const { service, result, applied } = await importStagingInto(host, {
    service: args[0] as string | undefined,
    charts: options.charts,
    release: options.release,
    routes: options.routes === 'online' ? 'online' : 'offline',
    general: options.general ?? '.fixtures/general-staging.yaml',
    listeners: options.listeners,
    external: options.external ?? [],
    output,
    checkout: options.checkout !== false,
    publish: options.publish !== false,
    force: options.force === true,
    dryRun: options.dryRun === true,
  });
  const shown = stagingImportLines(service, result, applied, output);
  ctx.bus.emit('result', { command: 'import-staging', data: shown.data });
  for (const line of shown.lines) ctx.print(line);
  return 0;
}
