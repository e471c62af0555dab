/**
 * `devpipe e2e [--up]`: run the e2e suite on the stack's network, streaming its output; the exit
 * code is the suite's. On failure every service's logs are saved under `.devpipe/reports/<run>/`.
 */
import { randomBytes } from 'node:crypto';
import { runSuite, requireStackUp } from '../../engine/stack/e2e.js';
import { stackTarget, writeSecretFiles, COMPOSE_FILE } from '../../engine/stack/files.js';
import { stackModel } from '../../engine/stack/model.js';
import { buildStackImages } from '../../engine/stack/up.js';
import { DevpipeError } from '../../errors.js';
import { formatDuration } from '../../ui/format.js';
import type { Context } from '../context.js';
import { sourceRevision } from '../git.js';
import { compileStackBuilds, isKubeTarget, loadStackConfig, requireCompose, resolveStackSecrets, stackPorts } from '../stack.js';
import { bringUp, printSummary } from './up.js';

function runId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(2).toString('hex')}`;
}

export async function run(ctx: Context, _args: unknown[], options: Record<string, unknown>): Promise<number> {
  const started = Date.now();
  const signal = options.signal as AbortSignal | undefined;
  const config = await loadStackConfig(ctx);
  if (isKubeTarget(ctx, config)) return (await import('../kube-target.js')).e2eOnKube(ctx, config, options);
  requireCompose(ctx, config, 'e2e');
  if (!config.e2e) {
    throw new DevpipeError('usage', 'this stack has no e2e suite', { hint: 'add an `e2e:` section to .pipeline/devpipe.yaml (a Blubber variant of this repo, or an image + command)' });
  }
  const secretsFile = options.secrets as string | undefined;
  const secrets = await resolveStackSecrets(ctx, config, secretsFile);
  return secrets.guard(async () => {
    if (options.up === true) {
      const summary = await bringUp(ctx, config, secrets, secretsFile, signal);
      printSummary(ctx, secrets, summary, started);
    }
    const ports = await stackPorts(ctx);
    await (await ctx.docker()).engine.info();
    const builds = await compileStackBuilds(ctx, config, true, secretsFile, true);
    await ctx.reporter();
    const built = await buildStackImages(ports, secrets.bus, builds, secrets.resolved, {
      project: config.project,
      revision: await sourceRevision(await ctx.process(), ctx.projectDir),
      fresh: config.settings.freshBuilds,
      concurrency: config.settings.buildConcurrency,
      signal,
    });
    const model = stackModel(config, new Map([...built].map(([key, image]) => [key, image.contentTag])));
    if ((await ports.files.read(COMPOSE_FILE)) === undefined) {
      throw new DevpipeError('usage', `the stack ${config.project} is not up (no ${COMPOSE_FILE})`, { hint: 'run `devpipe up` first, or `devpipe e2e --up`' });
    }
    await requireStackUp(ports.containers, model);
    await writeSecretFiles(ports.files, model, secrets.resolved);
    const run = runId();
    const result = await runSuite(ports, secrets.bus, model, stackTarget(ports.files.root, config.project), {
      run,
      secrets: secrets.resolved,
      redact: (text) => secrets.redactor.text(text),
      signal,
    });
    await ctx.finish();
    secrets.bus.emit('result', { command: 'e2e', data: { project: config.project, run, exitCode: result.exitCode, durationMs: result.durationMs, reportDir: result.reportDir } });
    if (result.exitCode === 0) {
      secrets.print(`e2e passed (${formatDuration(result.durationMs)})`);
      return 0;
    }
    ctx.streams.err.write(
      secrets.redactor.text(`error: the e2e suite failed (exit code ${result.exitCode}, ${formatDuration(result.durationMs)})\n  every service's logs are saved under ${result.reportDir ?? '?'}/\nhint: read them there, or \`devpipe logs\`; the stack is still up for debugging (\`devpipe down\` removes it)\n`),
    );
    return Math.min(Math.max(result.exitCode, 1), 125);
  });
}
