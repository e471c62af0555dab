/**
 * `doctor`'s facts: the engine, Compose v1/v2, minikube, kubectl, helm, Node, and inside a project
 * every image its variants and pinned services need. Asked through ports; assess() judges them.
 */
import { compileVariant } from '../compile/index.js';
import type { Engine, ImageStore, ProcessRunner } from '../ports.js';
import { checkImages, missingFix, type ImageNeed } from './base-images.js';
import type { Check, DoctorFacts, ToolFact } from './doctor.js';
import { loadProjectBlubber } from './project/blubber.js';
import { loadStackConfig } from './project/stack.js';
import type { Workspace } from './project/workspace.js';

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

/** What this machine has, asked through the ports (the engine, the tools on PATH). */
export interface DoctorHost {
  process: ProcessRunner;
  engine: Engine;
  /** How the engine was found (DOCKER_HOST, the socket, …). */
  foundVia: string;
  env: Readonly<Record<string, string | undefined>>;
  allowContext: string | undefined;
  nodeVersion: string;
  debian: boolean;
}

export async function gatherFacts(host: DoctorHost): Promise<DoctorFacts> {
  const proc = host.process;
  const engineFact = (async (): Promise<DoctorFacts['engine']> => {
    try {
      return { ok: true, info: await host.engine.info() };
    } catch (error) {
      return { ok: false, error: (error as Error).message, foundVia: host.foundVia };
    }
  })();
  const [engine, dockerCli, composeV2, composeV1, minikube, kubectl, helm] = await Promise.all([
    engineFact,
    tool(proc, 'docker', ['version', '--format', '{{.Client.Version}}']),
    tool(proc, 'docker', ['compose', 'version', '--short']),
    tool(proc, 'docker-compose', ['version', '--short']),
    minikubeFact(proc, host.env.MINIKUBE_PROFILE || 'minikube'),
    kubectlFact(proc, host.allowContext || host.env.MINIKUBE_PROFILE || 'minikube'),
    tool(proc, 'helm', ['version', '--short']),
  ]);
  return { engine, dockerCli, composeV2, composeV1, minikube, kubectl, helm, node: { version: host.nodeVersion }, debian: host.debian };
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
export async function projectImageChecks(ws: Workspace, images: ImageStore, facts: DoctorFacts): Promise<Check[]> {
  if (!facts.engine.ok) return [];
  const needs: ImageNeed[] = [];
  let found = false;
  try {
    const { config, images, file } = await loadProjectBlubber(ws, undefined);
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
    const config = await loadStackConfig(ws);
    if (config.file !== undefined) found = true;
    for (const service of config.services) if (service.image.kind === 'pinned') needs.push({ image: service.image.ref, usedBy: [`service ${service.name}`] });
  } catch {
    // no valid devpipe.yaml
  }
  if (!found) return [];
  const checked = await checkImages(images, needs);
  const fix = missingFix(checked.filter((c) => c.status === 'missing'));
  return checked.map((c): Check => {
    const what = `${c.aliasOf ? `${c.aliasOf} → ${c.image} (settings alias)` : c.image}; for ${c.usedBy.join(', ')}`;
    if (c.status === 'local') return { name: 'image', status: 'ok', detail: `here: ${what}`, required: true };
    if (c.status === 'pullable') return { name: 'image', status: 'warn', detail: `not here, pullable: ${what}`, fix: `docker pull ${c.image} (devpipe build pulls it when needed)`, required: true };
    return { name: 'image', status: 'missing', detail: `not here, cannot be pulled (${c.reason ?? '?'}): ${what}`, fix, required: true };
  });
}

