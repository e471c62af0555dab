/** `devpipe doctor [--target compose|minikube]`: what this machine has, and what to fix. */
import { existsSync } from 'node:fs';
import { checkImages, missingFix, type ImageNeed } from '../../engine/base-images.js';
import { assess, type Check, type DoctorFacts, type ToolFact, type Target } from '../../engine/doctor.js';
import type { ProcessRunner } from '../../ports.js';
import { paint } from '../../ui/format.js';
import type { Context } from '../context.js';

async function tool(proc: ProcessRunner, command: string, args: string[], parse: (stdout: string) => string | undefined = (s) => s.trim().split('\n')[0]): Promise<ToolFact> {
  if (!(await proc.which(command))) return { present: false, error: `${command} not found on PATH` };
  try {
    const result = await proc.run(command, args, { timeoutMs: 10_000 });
    if (result.exitCode !== 0) return { present: false, error: (result.stderr || result.stdout).trim().split('\n')[0] };
    return { present: true, version: parse(result.stdout) };
  } catch (error) {
    return { present: false, error: (error as Error).message };
  }
}

export async function gatherFacts(ctx: Context): Promise<DoctorFacts> {
  const proc = await ctx.process();
  const engineFact = (async (): Promise<DoctorFacts['engine']> => {
    const docker = await ctx.docker();
    try {
      return { ok: true, info: await docker.engine.info() };
    } catch (error) {
      return { ok: false, error: (error as Error).message, foundVia: docker.foundVia };
    }
  })();
  const [engine, dockerCli, composeV2, composeV1, minikube, kubectl, helm] = await Promise.all([
    engineFact,
    tool(proc, 'docker', ['version', '--format', '{{.Client.Version}}']),
    tool(proc, 'docker', ['compose', 'version', '--short']),
    tool(proc, 'docker-compose', ['version', '--short']),
    minikubeFact(proc, ctx.env.MINIKUBE_PROFILE || 'minikube'),
    kubectlFact(proc, ctx.options.allowContext || ctx.env.MINIKUBE_PROFILE || 'minikube'),
    tool(proc, 'helm', ['version', '--short']),
  ]);
  return { engine, dockerCli, composeV2, composeV1, minikube, kubectl, helm, node: { version: process.versions.node }, debian: existsSync('/etc/debian_version') };
}

async function minikubeFact(proc: ProcessRunner, profileName: string): Promise<DoctorFacts['minikube']> {
  const base = await tool(proc, 'minikube', ['version', '--short']);
  if (!base.present) return base;
  const status = await proc.run('minikube', ['-p', profileName, 'status', '-o', 'json'], { timeoutMs: 15_000 }).catch(() => undefined);
  let parsed: { Host?: string; APIServer?: string } = {};
  try {
    parsed = JSON.parse(status?.stdout ?? '{}') as typeof parsed;
  } catch {
    // not JSON: minikube prints text when the profile does not exist
  }
  const running = parsed.Host === 'Running' && parsed.APIServer === 'Running';
  const profile = await proc.run('minikube', ['profile', 'list', '-o', 'json'], { timeoutMs: 15_000 }).catch(() => undefined);
  let runtime: string | undefined;
  try {
    const list = JSON.parse(profile?.stdout ?? '{}') as { valid?: { Name?: string; Config?: { KubernetesConfig?: { ContainerRuntime?: string } } }[] };
    runtime = (list.valid?.find((p) => p.Name === profileName) ?? list.valid?.[0])?.Config?.KubernetesConfig?.ContainerRuntime;
  } catch {
    runtime = undefined;
  }
  return { ...base, profile: profileName, running, status: parsed.Host ? `host ${parsed.Host}, apiserver ${parsed.APIServer ?? '?'}` : (status?.stdout || status?.stderr || '').trim().split('\n')[0], runtime };
}

async function kubectlFact(proc: ProcessRunner, expected: string): Promise<DoctorFacts['kubectl']> {
  const base = await tool(proc, 'kubectl', ['version', '--client', '-o', 'json'], (stdout) => {
    try {
      return (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
    } catch {
      return undefined;
    }
  });
  if (!base.present) return base;
  const context = await proc.run('kubectl', ['config', 'current-context'], { timeoutMs: 10_000 }).catch(() => undefined);
  const contexts = await proc.run('kubectl', ['config', 'get-contexts', '-o', 'name'], { timeoutMs: 10_000 }).catch(() => undefined);
  return {
    ...base,
    context: context?.exitCode === 0 ? context.stdout.trim() : undefined,
    contexts: contexts?.exitCode === 0 ? contexts.stdout.split('\n').map((l) => l.trim()).filter(Boolean) : undefined,
    expected,
  };
}

/**
 * Inside a project: every image its variants and pinned services need (after the settings'
 * `images:` aliases), as checks — here, pullable, or missing with what to do.
 */
async function projectImageChecks(ctx: Context, facts: DoctorFacts): Promise<Check[]> {
  if (!facts.engine.ok) return [];
  const { loadProjectBlubber } = await import('../../engine/project/blubber.js');
  const { compileVariant } = await import('../../compile/index.js');
  const needs: ImageNeed[] = [];
  let found = false;
  try {
    const { config, images, file } = await loadProjectBlubber(await ctx.workspace(), undefined);
    found = true;
    for (const variant of Object.keys(config.variants)) {
      const compiled = compileVariant(config, variant, { localContext: 'views', images });
      if (!compiled.ok) continue;
      for (const base of compiled.value.baseImages) needs.push({ image: base, usedBy: [`${file}#${variant}`], aliasOf: compiled.value.substitutions.find((s) => s.alias === base)?.image });
    }
  } catch {
    // no Blubber file here (or a broken one: render/build report it)
  }
  try {
    const { loadStackConfig } = await import('../../engine/project/stack.js');
    const config = await loadStackConfig(await ctx.workspace());
    if (config.file !== undefined) found = true;
    for (const service of config.services) if (service.image.kind === 'pinned') needs.push({ image: service.image.ref, usedBy: [`service ${service.name}`] });
  } catch {
    // no valid devpipe.yaml
  }
  if (!found) return [];
  const docker = await ctx.docker();
  const checked = await checkImages(docker.images, needs);
  const fix = missingFix(checked.filter((c) => c.status === 'missing'));
  return checked.map((c): Check => {
    const what = `${c.aliasOf ? `${c.aliasOf} → ${c.image} (settings alias)` : c.image}; for ${c.usedBy.join(', ')}`;
    if (c.status === 'local') return { name: 'image', status: 'ok', detail: `here: ${what}`, required: true };
    if (c.status === 'pullable') return { name: 'image', status: 'warn', detail: `not here, pullable: ${what}`, fix: `docker pull ${c.image} (devpipe build pulls it when needed)`, required: true };
    return { name: 'image', status: 'missing', detail: `not here, cannot be pulled (${c.reason ?? '?'}): ${what}`, fix, required: true };
  });
}

export async function run(ctx: Context): Promise<number> {
  const target: Target = ctx.options.target ?? 'compose';
  const facts = await gatherFacts(ctx);
  const report = assess(facts, target);
  const imageChecks = await projectImageChecks(ctx, facts);
  if (imageChecks.length > 0) {
    report.checks.push(...imageChecks);
    report.ok = report.ok && imageChecks.every((c) => c.status !== 'missing');
  }
  if (ctx.options.json) {
    ctx.streams.out.write(`${JSON.stringify(report)}\n`);
    return report.ok ? 0 : 3;
  }
  const p = paint(ctx.options.color && Boolean(ctx.streams.out.isTTY) && ctx.env.NO_COLOR === undefined);
  const width = Math.max(...report.checks.map((c) => c.name.length));
  for (const check of report.checks) {
    const mark = check.status === 'ok' ? p.green('✔') : check.status === 'warn' ? p.yellow('!') : check.required ? p.red('✖') : p.yellow('✖');
    ctx.print(`${mark} ${check.name.padEnd(width)}  ${check.detail}`);
    if (check.fix && check.status !== 'ok') ctx.print(`  ${' '.repeat(width)}  ${p.dim(`fix: ${check.fix.split('\n').join(`\n  ${' '.repeat(width)}       `)}`)}`);
  }
  ctx.print();
  if (report.ok) {
    ctx.print(p.green(`ready: the ${target} target can work on this machine`));
    return 0;
  }
  const missing = [...new Set(report.checks.filter((c) => c.required && c.status === 'missing').map((c) => c.name))];
  ctx.print(p.red(`not ready for the ${target} target: missing ${missing.join(', ')} (fixes above)`));
  return 3;
}
