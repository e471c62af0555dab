/**
 * The stack commands' one way in: the project loaded through the engine (devpipe.yaml with its
 * profiles, the fake secrets, the builds compiled on demand), with the reporter attached as soon
 * as the config says how output looks (the `ci` profile's plain output).
 */
import { compileStackBuilds } from '../engine/project/builds.js';
import { resolveStackSecrets } from '../engine/project/secrets.js';
import { loadStackConfig } from '../engine/project/stack.js';
import type { LoadedStack } from '../engine/targets/types.js';
import type { StackConfig } from '../spec/stack/index.js';
import type { Context } from './context.js';

/** devpipe.yaml (or the zero-config default) with `--profile`; the reporter attached. */
export async function loadConfig(ctx: Context): Promise<StackConfig> {
  const ws = await ctx.workspace();
  return loadStackConfig(ws, {
    beforeWarnings: async (config) => {
      if (config.settings.output === 'plain') ctx.env.CI ??= 'true';
      await ctx.reporter();
    },
  });
}

export async function loadStack(ctx: Context, options: { secretsFile?: string | undefined; requireAll: boolean; config?: StackConfig }): Promise<LoadedStack> {
  const ws = await ctx.workspace();
  const config = options.config ?? (await loadConfig(ctx));
  const secrets = await resolveStackSecrets(ws, config, options.secretsFile, options.requireAll);
  return { config, secrets, compile: (o) => compileStackBuilds(ws, config, o.withSuite, options.secretsFile, o.onlySuite) };
}

/** The config when it loads (down and status work without one). */
export async function tryLoadConfig(ctx: Context): Promise<StackConfig | undefined> {
  try {
    return await loadConfig(ctx);
  } catch {
    return undefined;
  }
}
