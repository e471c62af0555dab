/**
 * `devpipe secrets check [image...]`: the leak guard on demand (engine/stack/secrets-check.ts).
 * Exit 1 naming secret, layer and path.
 */
import { LABEL_PROJECT } from '../../engine/labels.js';
import { checkImagesForSecrets } from '../../engine/stack/secrets-check.js';
import type { Context } from '../context.js';
import { loadStack } from '../load.js';

export async function run(ctx: Context, args: unknown[]): Promise<number> {
  const { config, secrets } = await loadStack(ctx, { requireAll: false });
  return secrets.guard(async () => {
    await ctx.reporter();
    const docker = await ctx.docker();
    await docker.engine.info();
    const result = await checkImagesForSecrets({ images: docker.images, scanner: await ctx.imageScanner() }, ctx.bus, config.project, (args[0] as string[] | undefined) ?? [], secrets.resolved);
    if (result.none) {
      ctx.print(`no image built by devpipe for ${config.project} (label ${LABEL_PROJECT}=${config.project}); name images to scan: devpipe secrets check IMAGE...`);
      return 0;
    }
    for (const ref of result.clean) ctx.print(`ok    ${ref}: no value of ${result.searched} secret(s) in its layers, env, labels or history`);
    if (result.failure) throw result.failure;
    return 0;
  });
}
