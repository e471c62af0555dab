/**
 * `devpipe render <variant> [--ci]`: the Dockerfile devpipe compiles from a Blubber variant (no
 * engine). Plain render prints what `devpipe build` sends, with a leading comment saying how it
 * differs from Blubber's; `--ci` prints the Dockerfile as Blubber emits it (local paths as
 * written, the bases the repository names), buildable with `docker build` on the repository.
 */
import { compileVariant, type CompiledBuild } from '../../compile/index.js';
import { SpecError } from '../../spec/issues.js';
import { compileAll, loadProjectBlubber } from '../../engine/project/blubber.js';
import { keyValues } from '../../engine/project/spec-files.js';
import type { Context } from '../context.js';

export interface RenderOptions {
  blubber?: string;
  buildArg?: string[];
  ci?: boolean;
}

/** The `#` lines saying how devpipe's Dockerfile differs from Blubber's for this variant. */
export function differences(compiled: CompiledBuild, trust: { bundle: boolean; proxies: string[]; indexes: string[] }): string[] {
  const lines = [`devpipe render ${compiled.variant}: the Dockerfile devpipe builds. Blubber's own (CI's) is \`devpipe render --ci ${compiled.variant}\`; this one differs:`];
  if (!compiled.sendProject) lines.push('- local files are read from .devpipe-context/local/, where devpipe streams only the files this variant uses (never the whole repository)');
  for (const s of compiled.substitutions) lines.push(`- base image ${s.image} is replaced by ${s.alias} (images: in your settings file)`);
  const passed = [trust.bundle ? 'the CA bundle' : '', trust.proxies.length > 0 ? `proxies (${trust.proxies.join(', ')})` : '', trust.indexes.length > 0 ? `package indexes (${trust.indexes.join(', ')})` : ''].filter(Boolean);
  if (passed.length > 0) lines.push(`- devpipe build mounts ${passed.join(', ')} of this machine into each RUN (bind mount + predefined proxy args; never in a layer)`);
  lines.push('- devpipe build adds its own labels (devpipe.*) to the final LABEL line');
  return lines.map((line) => `# ${line}`);
}

export async function run(ctx: Context, args: unknown[], options: RenderOptions): Promise<number> {
  const variant = String(args[0]);
  await ctx.reporter();
  const { config, images } = await loadProjectBlubber(await ctx.workspace(), options.blubber);
  const buildArgs = keyValues(options.buildArg);
  let compiled: CompiledBuild | undefined;
  if (options.ci === true) {
    const result = compileVariant(config, variant, { buildArgs, localContext: 'project' });
    if (!result.ok) throw new SpecError(result.errors);
    compiled = result.value;
  } else {
    [compiled] = compileAll(ctx.bus, config, [variant], buildArgs, images);
  }
  if (!compiled) return 1;
  if (ctx.options.json) {
    ctx.bus.emit('result', {
      command: 'render',
      data: {
        variant: compiled.variant,
        target: compiled.target,
        ci: options.ci === true,
        dockerfile: compiled.dockerfile,
        buildkit: compiled.buildkit,
        buildArgs: compiled.buildArgs,
        baseImages: compiled.baseImages,
        substitutions: compiled.substitutions,
        contextEntries: compiled.extraEntries.map((e) => (e.kind === 'view' ? { kind: e.kind, path: e.path, source: e.source, exclude: e.exclude } : { kind: e.kind, path: e.path })),
      },
    });
    return 0;
  }
  let header = '';
  if (options.ci !== true) {
    const trust = await ctx.hostTrust({ quiet: true });
    header = `${differences(compiled, { bundle: trust.bundle !== undefined, proxies: Object.keys(trust.proxies), indexes: Object.keys(trust.indexes) }).join('\n')}\n\n`;
  }
  ctx.streams.out.write(`${header}${compiled.dockerfile.endsWith('\n') ? compiled.dockerfile : `${compiled.dockerfile}\n`}`);
  return 0;
}
