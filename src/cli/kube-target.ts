/**
 * The kube target's entry points for the stack commands, loaded on demand: each command
 * (src/cli/commands/{up,down,status,logs,e2e}.ts) dispatches with one line, e.g.
 *   if (isKubeTarget(ctx, config)) return (await import('../kube-target.js')).upOnKube(ctx, config, secrets, options);
 * The target is `--target`, else the profile's / devpipe.yaml's `settings.target` (isKubeTarget in ../stack.ts).
 * `deployToKube` is what `devpipe ci`'s `deploy` step calls.
 */
import { DevpipeError } from '../errors.js';
import type { StackConfig } from '../spec/stack/index.js';
import type { Context } from './context.js';
import { kubeDryRun, runKubeUp } from './kube/up.js';
import { runKubeE2e } from './kube/e2e.js';
import { resolveStackSecrets, type StackSecrets } from './stack.js';

export { isKubeTarget, wantsKube } from './stack.js';

export { kubeDryRun, runKubeUp } from './kube/up.js';
export { runKubeDown, runKubeLogs, runKubeStatus } from './kube/manage.js';
export { runKubeE2e } from './kube/e2e.js';
export { deployToKube, type KubeDeployOptions } from './kube/deploy.js';

/** `up` (and `up --dry-run`) on the kube target. */
export async function upOnKube(ctx: Context, config: StackConfig, secrets: StackSecrets, options: Record<string, unknown>): Promise<number> {
  return options.dryRun === true ? kubeDryRun(ctx, config, secrets) : runKubeUp(ctx, config, secrets, options);
}

/** `e2e` on the kube target: the suite must exist; secrets resolved (all required) and redacted as on compose. */
export async function e2eOnKube(ctx: Context, config: StackConfig, options: Record<string, unknown>): Promise<number> {
  if (!config.e2e) {
    throw new DevpipeError('usage', 'this stack has no e2e suite', { hint: 'add an `e2e:` section to .pipeline/devpipe.yaml (a Blubber variant of this repo, or an image + command)' });
  }
  const secrets = await resolveStackSecrets(ctx, config, options.secrets as string | undefined);
  return secrets.guard(() => runKubeE2e(ctx, config, secrets, options));
}
