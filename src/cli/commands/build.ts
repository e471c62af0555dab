/**
 * `devpipe build <variant...>`: compile every variant (all errors before anything builds), build
 * through the Engine API with content-addressed tags, and print each image's ID and tags where
 * nobody can miss them.
 */
import { buildImages } from '../../engine/build.js';
import { paint, shortId, formatDuration } from '../../ui/format.js';
import { checkIgnoredCopies, compileAll, loadProjectBlubber } from '../blubber.js';
import type { Context } from '../context.js';
import { sourceRevision } from '../git.js';
import { keyValues } from '../spec-files.js';
import { imageProject } from '../project-name.js';

export async function run(ctx: Context, args: unknown[], options: Record<string, unknown>): Promise<number> {
  const variants = [...new Set((args[0] as string[]) ?? [])];
  const { config, images } = await loadProjectBlubber(ctx, options.blubber as string | undefined);
  const compiled = compileAll(ctx, config, variants, keyValues(options.buildArg as string[]), images);
  await checkIgnoredCopies(ctx, compiled);
  const docker = await ctx.docker();
  await docker.engine.info();
  await ctx.reporter();
  const revision = await sourceRevision(await ctx.process(), ctx.projectDir);
  const project = await imageProject(ctx);
  await ctx.hostTrust();
  const built = await buildImages(docker, ctx.bus, compiled, {
    project,
    contextDir: ctx.projectDir,
    revision,
    extraTags: (options.tag as string[]) ?? [],
    noCache: options.cache === false,
    pull: options.pull === true,
    signal: options.signal as AbortSignal | undefined,
  });
  await ctx.finish();
  ctx.bus.emit('result', { command: 'build', data: { project, revision, images: built } });
  if (!ctx.options.json) {
    const p = paint(ctx.options.color && Boolean(ctx.streams.out.isTTY) && ctx.env.NO_COLOR === undefined);
    ctx.print();
    for (const image of built) {
      const how = image.cached ? 'unchanged, reused' : `built in ${formatDuration(image.durationMs)}`;
      ctx.print(`${p.bold(image.variant)}  ${p.green(image.contentTag)}  ${p.dim(`${shortId(image.imageId)} (${how})`)}`);
      for (const tag of image.tags.slice(1)) ctx.print(`${' '.repeat(image.variant.length)}  also tagged ${tag}`);
    }
  }
  return 0;
}
