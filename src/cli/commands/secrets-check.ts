/**
 * `devpipe secrets check [image...]`: the leak guard on demand. Scans the named images (default:
 * every image devpipe built for this project, found by label) for the value of every declared
 * secret: all layers' files, config env, labels, history. Exit 1 naming secret, layer and path.
 */
import { leakError } from '../../engine/stack/leak-scan.js';
import { LABEL_PROJECT } from '../../engine/stack/model.js';
import { DevpipeError } from '../../errors.js';
import type { LeakFinding } from '../../ports.js';
import type { Context } from '../context.js';
import { loadStack } from '../load.js';

export async function run(ctx: Context, args: unknown[]): Promise<number> {
  const { config, secrets } = await loadStack(ctx, { requireAll: false });
  return secrets.guard(async () => {
    await ctx.reporter();
    const docker = await ctx.docker();
    await docker.engine.info();
    let refs = (args[0] as string[] | undefined) ?? [];
    if (refs.length === 0) {
      const images = await docker.images.list({ [LABEL_PROJECT]: config.project });
      refs = images.map((i) => i.tags[0] ?? i.id);
    }
    if (refs.length === 0) {
      ctx.print(`no image built by devpipe for ${config.project} (label ${LABEL_PROJECT}=${config.project}); name images to scan: devpipe secrets check IMAGE...`);
      return 0;
    }
    for (const ref of refs) {
      if (!(await docker.images.inspect(ref))) throw new DevpipeError('usage', `image ${ref} does not exist locally`, { hint: 'check the name with `docker images`' });
    }
    const scanner = await ctx.imageScanner();
    const needles = secrets.resolved.map((s) => ({ name: s.name, value: s.value }));
    const bad: { ref: string; findings: LeakFinding[] }[] = [];
    for (const ref of refs) {
      const findings = await scanner.scan(ref, needles);
      ctx.bus.emit('result', { command: 'secrets check', data: { image: ref, findings } });
      if (findings.length > 0) bad.push({ ref, findings });
      else ctx.print(`ok    ${ref}: no value of ${needles.length} secret(s) in its layers, env, labels or history`);
    }
    if (bad.length > 0) {
      const first = bad[0]!;
      const error = leakError(first.ref, first.findings);
      throw new DevpipeError('failure', bad.length > 1 ? `${bad.length} images contain secret values: ${bad.map((b) => b.ref).join(', ')}` : error.message, {
        details: bad.flatMap((b) => leakError(b.ref, b.findings).details.map((d) => `${b.ref}: ${d}`)),
        hint: error.hint,
      });
    }
    return 0;
  });
}
