/**
 * `devpipe up [--dry-run] [--secrets FILE]`: build what is built here, deploy the local staging
 * copy with fake secrets injected at deploy time, wait until every service is ready, and print
 * each service's URL and image.
 */
import { stringify } from 'yaml';
import { composeText } from '../../engine/stack/files.js';
import { buildKey, serviceUrls, stackModel } from '../../engine/stack/model.js';
import { upStack, type UpSummary } from '../../engine/stack/up.js';
import { repositoryName } from '../../engine/build.js';
import type { StackConfig } from '../../spec/stack/index.js';
import { formatDuration } from '../../ui/format.js';
import type { Context } from '../context.js';
import { sourceRevision } from '../git.js';
import { stackOverridesFrom } from '../zero-config.js';
import { compileStackBuilds, isKubeTarget, loadStackConfig, requireCompose, resolveStackSecrets, stackPorts, withProjectLock, type StackSecrets } from '../stack.js';

/** Brings the stack up (shared with `e2e --up`). */
export async function bringUp(ctx: Context, config: StackConfig, secrets: StackSecrets, secretsFile: string | undefined, signal: AbortSignal | undefined): Promise<UpSummary> {
  requireCompose(ctx, config, 'up');
  const builds = await compileStackBuilds(ctx, config, false, secretsFile);
  const ports = await stackPorts(ctx);
  const docker = await ctx.docker();
  await docker.engine.info();
  await ports.deployer.describe();
  await ctx.reporter();
  const revision = await sourceRevision(await ctx.process(), ctx.projectDir);
  return withProjectLock(ctx, 'up', signal, () => upStack(ports, secrets.bus, { config, builds, secrets: secrets.resolved, revision, signal }));
}

export function printSummary(ctx: Context, secrets: StackSecrets, summary: UpSummary, started: number): void {
  secrets.bus.emit('result', { command: 'up', data: { project: summary.model.project, composeFile: summary.target.file, services: summary.services } });
  secrets.print();
  secrets.print(`${summary.model.project} is up (${formatDuration(Date.now() - started)}), ${summary.services.length} service(s):`);
  for (const service of summary.services) {
    const url = service.urls.length > 0 ? service.urls.join(' ') : '(no published port)';
    secrets.print(`  ${service.name.padEnd(12)} ${url.padEnd(24)} ${service.image} (${service.kind})`);
  }
  secrets.print(`next: devpipe e2e · devpipe logs · devpipe status · devpipe down`);
}

function dryRun(ctx: Context, config: StackConfig, secrets: StackSecrets): number {
  const project = repositoryName(config.project);
  const refs = new Map(config.services.flatMap((s) => (s.image.kind === 'build' ? [[buildKey(s.image), `${project}:${s.image.variant}-<content hash>`] as [string, string]] : [])));
  if (config.e2e?.image.kind === 'build') refs.set(buildKey(config.e2e.image), `${project}:${config.e2e.image.variant}-<content hash>`);
  const model = stackModel(config, refs);
  const effective = {
    project: config.project,
    profile: config.profile,
    profiles: config.profiles,
    file: config.file ?? '(none: zero-config default)',
    settings: config.settings,
    services: config.services.map((s) => ({ ...s, urls: serviceUrls(s) })),
    e2e: config.e2e,
    secrets: config.secrets.map((s) => {
      const value = secrets.resolved.find((r) => r.name === s.name);
      return { name: s.name, from: value ? value.source : 'NO VALUE (up would fail)', value: value ? '[redacted]' : undefined };
    }),
  };
  secrets.bus.emit('result', { command: 'up --dry-run', data: effective });
  secrets.print(`# effective config of ${config.file ?? 'the zero-config default'} with profile "${config.profile}" (target ${ctx.options.target ?? config.settings.target})`);
  secrets.print(stringify(JSON.parse(JSON.stringify(effective)), { lineWidth: 0 }).trimEnd());
  secrets.print('');
  secrets.print(`# .devpipe/stack/compose.yaml that up would write (secret values are never in it)`);
  secrets.print(composeText(model, ctx.projectDir).trimEnd());
  return 0;
}

export async function run(ctx: Context, _args: unknown[], options: Record<string, unknown>): Promise<number> {
  const started = Date.now();
  stackOverridesFrom(ctx, options);
  const config = await loadStackConfig(ctx);
  const secretsFile = options.secrets as string | undefined;
  const dry = options.dryRun === true;
  // --dry-run refuses what up refuses: missing secrets, a spec that does not compile, a build
  // context holding secrets, a target that cannot run here.
  const secrets = await resolveStackSecrets(ctx, config, secretsFile, true);
  return secrets.guard(async () => {
    if (isKubeTarget(ctx, config)) return (await import('../kube-target.js')).upOnKube(ctx, config, secrets, options);
    if (dry) {
      requireCompose(ctx, config, 'up');
      await compileStackBuilds(ctx, config, false, secretsFile);
      await ctx.reporter();
      return dryRun(ctx, config, secrets);
    }
    const summary = await bringUp(ctx, config, secrets, secretsFile, options.signal as AbortSignal | undefined);
    await ctx.finish();
    printSummary(ctx, secrets, summary, started);
    return 0;
  });
}
