/** `devpipe render <variant>`: the Dockerfile devpipe compiles from a Blubber variant. No engine. */
import { compileAll, loadProjectBlubber } from '../blubber.js';
import type { Context } from '../context.js';
import { keyValues } from '../spec-files.js';

export async function run(ctx: Context, args: unknown[], options: Record<string, unknown>): Promise<number> {
  const variant = String(args[0]);
  await ctx.reporter();
  const { config, images } = await loadProjectBlubber(ctx, options.blubber as string | undefined);
  const [compiled] = compileAll(ctx, config, [variant], keyValues(options.buildArg as string[]), images);
  if (!compiled) return 1;
  if (ctx.options.json) {
    ctx.bus.emit('result', {
      command: 'render',
      data: {
        variant: compiled.variant,
        target: compiled.target,
        dockerfile: compiled.dockerfile,
        buildkit: compiled.buildkit,
        buildArgs: compiled.buildArgs,
        baseImages: compiled.baseImages,
        contextEntries: compiled.extraEntries.map((e) => (e.kind === 'view' ? { kind: e.kind, path: e.path, source: e.source, exclude: e.exclude } : { kind: e.kind, path: e.path })),
      },
    });
    return 0;
  }
  ctx.streams.out.write(compiled.dockerfile.endsWith('\n') ? compiled.dockerfile : `${compiled.dockerfile}\n`);
  return 0;
}
