/**
 * custom builders (`builder` and `builders[].custom`): COPY requirements (even without a
 * command), then run the command or the script, with `mounts` and `caches` as RUN --mount
 * options (BuildKit; the Engine 20.10 embedded frontend supports them).
 *
 * - list `command`: the first element is the program (verbatim), the rest are quoted arguments;
 *   a string `command` is one verbatim shell command (`$VAR` is left to the shell).
 * - `script`: written to the context as `.devpipe-context/script-<sha>` (mode 0555, `#!/bin/sh`
 *   prepended without a shebang). With scripts = 'mount' (default) it is bind-mounted for the one
 *   RUN, so it never enters the image (BuildKit). With 'copy' (classic builder) it is COPY'd to
 *   /tmp, run and removed; the removed file stays in the COPY layer (the trade-off).
 * - `mounts`: `local` binds the context, a variant binds its stage, anything else an image;
 *   `destination` defaults to the working directory; read-write, changes discarded.
 * - `caches`: `type=cache`, id defaulting to the destination, owned by the lives uid/gid.
 */
import { cleanPath } from '../../spec/blubber/patterns.js';
import { LOCAL_CONTEXT, type CustomBuilder, type ExpandedVariant } from '../../spec/blubber/index.js';
import { addFile, argValue, buildEnv, expandVars, GENERATED_DIR, localPath, noteImage, sha256, type CompileContext } from '../context.js';
import { LIVES_CHOWN, requirementCopies } from '../copies.js';
import { copy, quote, run, type Instruction, type RunMount } from '../instructions.js';
import type { BuilderSteps } from './types.js';

function absolute(dir: string, p: string): string {
  return p.startsWith('/') ? cleanPath(p) : cleanPath(`${dir}/${p}`);
}

/** The user's list command: program verbatim, arguments quoted (Blubber's RunAll). */
export function commandText(command: readonly string[]): string {
  const [program = '', ...args] = command;
  return [program, ...args.map(quote)].join(' ');
}

export function runMounts(ctx: CompileContext, variant: ExpandedVariant, builder: CustomBuilder): RunMount[] {
  const vars = buildEnv(ctx, variant);
  const workdir = variant.lives.in;
  const mounts: RunMount[] = [];
  for (const mount of builder.mounts ?? []) {
    const target = absolute(workdir, expandVars(mount.destination ?? '.', vars));
    const source = mount.source !== undefined && mount.source !== '' ? expandVars(mount.source, vars) : undefined;
    if (mount.from === LOCAL_CONTEXT) {
      const cleaned = source !== undefined ? cleanPath(source.replace(/^\/+/, '')) : '.';
      mounts.push({ type: 'bind', source: localPath(ctx, cleaned, cleaned).replace(/\/$/, ''), target, rw: true });
    } else {
      if (!ctx.variants.has(mount.from)) noteImage(ctx, mount.from);
      mounts.push({ type: 'bind', from: mount.from, source: source !== undefined ? absolute('/', source) : '/', target, rw: true });
    }
  }
  const uid = Number(argValue(ctx, 'LIVES_UID', String(variant.lives.uid)));
  const gid = Number(argValue(ctx, 'LIVES_GID', String(variant.lives.gid)));
  for (const cache of builder.caches ?? []) {
    const destination = expandVars(cache.destination, vars);
    const target = absolute(workdir, destination);
    mounts.push({ type: 'cache', target, id: cache.id !== undefined && cache.id !== '' ? cache.id : destination, sharing: cache.access ?? 'shared', uid, gid });
  }
  return mounts;
}

export function customSteps(ctx: CompileContext, variant: ExpandedVariant, builder: CustomBuilder): BuilderSteps {
  const pre: Instruction[] = [...requirementCopies(ctx, builder.requirements ?? [])];
  const mounts = runMounts(ctx, variant, builder);
  if (builder.command !== undefined && builder.command.length > 0) {
    pre.push(run([commandText(builder.command)], mounts));
    if (mounts.length > 0) ctx.buildkit = true;
  } else if (builder.script !== undefined) {
    const script = builder.script.startsWith('#!') ? builder.script : `#!/bin/sh\n${builder.script}`;
    const digest = sha256(script).slice(0, 16);
    const contextPath = `${GENERATED_DIR}/script-${digest}`;
    const target = `/tmp/devpipe-script-${digest}`;
    addFile(ctx, contextPath, script, 0o555);
    if (ctx.scripts === 'mount' || mounts.length > 0) {
      pre.push(run([target], [{ type: 'bind', source: contextPath, target }, ...mounts]));
      ctx.buildkit = true;
    } else {
      pre.push(copy([contextPath], target, { chown: LIVES_CHOWN }));
      pre.push(run([target, `rm -f ${target}`]));
    }
  }
  return { pre, post: [] };
}
