/** `devpipe logs [-f] [service...]`: the services' logs, secret values redacted. */
import { requireServices } from '../../engine/project/stack.js';
import type { Context } from '../context.js';
import { loadStack } from '../load.js';

export interface LogsOptions {
  follow?: boolean;
  signal?: AbortSignal;
}

export async function run(ctx: Context, args: unknown[], options: LogsOptions): Promise<number> {
  const services = (args[0] as string[] | undefined) ?? [];
  const stack = await loadStack(ctx, { requireAll: false });
  requireServices(stack.config, services);
  return stack.secrets.guard(async () => {
    const target = await ctx.target(stack.config);
    await target.stack.logs(stack, services, { follow: options.follow === true, signal: options.signal, onLine: (line) => ctx.write('out', `${line}\n`) });
    return 0;
  });
}
