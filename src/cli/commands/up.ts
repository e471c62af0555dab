/**
 * `devpipe up [--dry-run] [--secrets FILE] [--forward]`: build what is built here, deploy the
 * local staging copy with fake secrets injected at deploy time, wait until every service is ready,
 * and print each service's URL and image.
 */
import { parseStackOverrides } from '../../engine/project/zero-config.js';
import { upSummary } from '../../ui/summaries.js';
import type { Context } from '../context.js';
import { loadStack } from '../load.js';

export interface UpOptions {
  dryRun?: boolean;
  secrets?: string;
  forward?: boolean;
  blubber?: string;
  variant?: string;
  port?: string;
  signal?: AbortSignal;
}

export async function run(ctx: Context, _args: unknown[], options: UpOptions): Promise<number> {
  const started = Date.now();
  ctx.overrides = parseStackOverrides(options);
  // --dry-run refuses what up refuses: missing secrets, a spec that does not compile, a build
  // context holding secrets, a target that cannot run here.
  const stack = await loadStack(ctx, { secretsFile: options.secrets, requireAll: true });
  return stack.secrets.guard(async () => {
    const target = await ctx.target(stack.config);
    if (options.dryRun === true) {
      const dry = await target.stack.dryRun(stack);
      ctx.bus.emit('result', { command: 'up --dry-run', data: dry.data });
      ctx.print(dry.text);
      return 0;
    }
    const result = await target.stack.up(stack, { signal: options.signal });
    await ctx.finish();
    ctx.bus.emit('result', { command: 'up', data: result.data });
    for (const line of upSummary(result, Date.now() - started)) ctx.print(line);
    if (options.forward === true) await target.stack.forward(stack, options.signal, (line) => ctx.print(line));
    return 0;
  });
}
