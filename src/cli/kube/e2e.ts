/** `devpipe e2e --target minikube [--up]`: the suite as a Job in the project's namespace; its exit code is the result. */
import { randomBytes } from 'node:crypto';
import { chartOf } from '../../engine/kube/chart.js';
import { requireKubeStackUp, runKubeSuite } from '../../engine/kube/suite.js';
import { stackModel } from '../../engine/stack/model.js';
import type { StackConfig } from '../../spec/stack/index.js';
import { formatDuration } from '../../ui/format.js';
import type { Context } from '../context.js';
import { compileStackBuilds, type StackSecrets } from '../stack.js';
import { buildAndDeliver } from './images.js';
import { kubeSetup, requireMinikubeRunning } from './target.js';
import { kubeUp, printKubeSummary } from './up.js';

function runId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').toLowerCase()}-${randomBytes(2).toString('hex')}`;
}

export async function runKubeE2e(ctx: Context, config: StackConfig, secrets: StackSecrets, options: Record<string, unknown>): Promise<number> {
  const started = Date.now();
  const signal = options.signal as AbortSignal | undefined;
  if (options.up === true) printKubeSummary(ctx, config, secrets, await kubeUp(ctx, config, secrets, options.secrets as string | undefined, signal), started);
  const setup = await kubeSetup(ctx, config.project);
  await requireMinikubeRunning(setup);
  await setup.kubectl.ping();
  const builds = await compileStackBuilds(ctx, config, true, options.secrets as string | undefined, true);
  const pinned = config.e2e?.image.kind === 'pinned' ? [config.e2e.image.ref] : [];
  const { built } = await buildAndDeliver(ctx, setup, config, secrets, builds, pinned, signal);
  const model = stackModel(config, new Map([...built].map(([key, image]) => [key, image.contentTag])));
  await requireKubeStackUp(setup.kubectl, model, new Set(config.services.filter((s) => chartOf(s)).map((s) => s.name)));
  const run = runId();
  const files = await ctx.projectFiles();
  const result = await runKubeSuite({ kubectl: setup.kubectl, files }, secrets.bus, model, { run, redact: (t) => secrets.redactor.text(t), signal });
  await ctx.finish();
  secrets.bus.emit('result', { command: 'e2e', data: { project: config.project, target: setup.target, run, exitCode: result.exitCode, durationMs: result.durationMs, reportDir: result.reportDir } });
  if (result.exitCode === 0) {
    secrets.print(`e2e passed on ${setup.target.context}/${setup.target.namespace} (${formatDuration(result.durationMs)})`);
    return 0;
  }
  ctx.streams.err.write(
    secrets.redactor.text(
      `error: the e2e suite failed (exit code ${result.exitCode}, ${formatDuration(result.durationMs)})\n  every service's logs are saved under ${result.reportDir ?? '?'}/\nhint: read them there, or \`devpipe logs --target minikube\`; the stack is still up for debugging (\`devpipe down --target minikube\` removes it)\n`,
    ),
  );
  return Math.min(Math.max(result.exitCode, 1), 125);
}
