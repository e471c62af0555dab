/**
 * `devpipe e2e [--up]`: run the e2e suite against the stack, streaming its output; the exit code
 * is the suite's. On failure every service's logs are saved under `.devpipe/reports/<run>/`.
 */
import { DevpipeError } from '../../errors.js';
import { e2eVerdict, upSummary } from '../../ui/summaries.js';
import type { Context } from '../context.js';
import { loadConfig, loadStack } from '../load.js';

export interface E2eOptions {
  up?: boolean;
  secrets?: string;
  signal?: AbortSignal;
}

export async function run(ctx: Context, _args: unknown[], options: E2eOptions): Promise<number> {
  const started = Date.now();
  const config = await loadConfig(ctx);
  if (!config.e2e) {
    throw new DevpipeError('usage', 'this stack has no e2e suite', { hint: 'add an `e2e:` section to .pipeline/devpipe.yaml (a Blubber variant of this repo, or an image + command)' });
  }
  const stack = await loadStack(ctx, { secretsFile: options.secrets, requireAll: true, config });
  return stack.secrets.guard(async () => {
    const target = await ctx.target(stack.config);
    if (options.up === true) {
      const up = await target.stack.up(stack, { signal: options.signal });
      ctx.bus.emit('result', { command: 'up', data: up.data });
      for (const line of upSummary(up, Date.now() - started)) ctx.print(line);
    }
    const result = await target.suites.e2e(stack, { signal: options.signal });
    await ctx.finish();
    ctx.bus.emit('result', { command: 'e2e', data: result.data });
    const verdict = e2eVerdict(result);
    if (verdict.passed) {
      ctx.print(verdict.line);
      return 0;
    }
    ctx.write('err', verdict.error);
    return Math.min(Math.max(result.exitCode, 1), 125);
  });
}
