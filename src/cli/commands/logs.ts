/** `devpipe logs [-f] [service...]`: the services' logs through Compose, secret values redacted. */
import { COMPOSE_FILE, stackTarget } from '../../engine/stack/files.js';
import { DevpipeError } from '../../errors.js';
import { nearest } from '../../spec/issues.js';
import type { Context } from '../context.js';
import { isKubeTarget, loadStackConfig, resolveStackSecrets } from '../stack.js';

export async function run(ctx: Context, args: unknown[], options: Record<string, unknown>): Promise<number> {
  const config = await loadStackConfig(ctx);
  const services = (args[0] as string[] | undefined) ?? [];
  const names = config.services.map((s) => s.name);
  for (const service of services) {
    if (!names.includes(service)) {
      const suggestion = nearest(service, names);
      throw new DevpipeError('usage', `"${service}" is not a service of ${config.project}`, { hint: suggestion ? `did you mean "${suggestion}"?` : `services: ${names.join(', ')}` });
    }
  }
  const secrets = await resolveStackSecrets(ctx, config, undefined, false);
  return secrets.guard(async () => {
    if (isKubeTarget(ctx, config)) return (await import('../kube-target.js')).runKubeLogs(ctx, config, secrets, services, options);
    const files = await ctx.projectFiles();
    if ((await files.read(COMPOSE_FILE)) === undefined) {
      throw new DevpipeError('usage', `the stack ${config.project} is not up (no ${COMPOSE_FILE})`, { hint: 'run `devpipe up` first' });
    }
    const deployer = await ctx.compose();
    await deployer.logs(stackTarget(files.root, config.project), {
      services,
      follow: options.follow === true,
      signal: options.signal as AbortSignal | undefined,
      onLine: (line) => ctx.streams.out.write(`${secrets.redactor.text(line)}\n`),
    });
    return 0;
  });
}
