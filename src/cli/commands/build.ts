/**
 * `devpipe build <variant...>`: compile every variant (all errors before anything builds), build
 * through the Engine API with content-addressed tags, and print each image's ID and tags where
 * nobody can miss them.
 */
import { buildImages } from '../../engine/build.js';
import { paint, shortId, formatDuration } from '../../ui/format.js';
import { checkIgnoredCopies, compileAll, loadProjectBlubber } from '../../engine/project/blubber.js';
import { imageProject } from '../../engine/project/name.js';
import { keyValues } from '../../engine/project/spec-files.js';
import type { Context } from '../context.js';

export interface BuildOptions {
  blubber?: string;
  buildArg?: string[];
  tag?: string[];
  cache?: boolean;
  pull?: boolean;
  signal?: AbortSignal;
}

export async function run(ctx: Context, args: unknown[], options: BuildOptions): Promise<number> {
  const variants = [...new Set((args[0] as string[]) ?? [])];
  const ws = await ctx.workspace();
  const { config, images } = await loadProjectBlubber(ws, options.blubber);
  const compiled = compileAll(ctx.bus, config, variants, keyValues(options.buildArg), images);
  await checkIgnoredCopies(ws, compiled);
  const docker = await ctx.docker();
  await docker.engine.info();
  await ctx.reporter();
  const revision = await ctx.revision();
  const project = await imageProject(ws.reader);
  await ctx.hostTrust();
  const built = await buildImages(docker, ctx.bus, compiled, {
    project,
    contextDir: ctx.projectDir,
    revision,
    extraTags: options.tag ?? [],
    noCache: options.cache === false,
    pull: options.pull === true,
    signal: options.signal,
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
