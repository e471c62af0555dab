/**
 * What the stack commands (up, down, status, logs, e2e, secrets check) share: loading
 * devpipe.yaml with its profiles, resolving fake secrets with redaction, compiling the builds of
 * the stack (refusing a context that would hold a secrets file), and the stack's ports.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompiledImage } from '../engine/build.js';
import type { EventBus } from '../engine/events.js';
import { contextLeakError, contextLeaks } from '../engine/stack/leak-scan.js';
import { buildKey, buildsOf } from '../engine/stack/model.js';
import type { Redactor } from '../engine/stack/redact.js';
import { checkSecretValues, envLayer, fakeLayer, missingSecretsError, resolveSecrets, type ResolvedSecret, type SecretLayer } from '../engine/stack/secrets.js';
import { envFilePath, secretPath } from '../engine/stack/files.js';
import type { StackBuild, StackPorts } from '../engine/stack/up.js';
import { DevpipeError } from '../errors.js';
import { SpecError } from '../spec/issues.js';
import { aliasPinnedImages, loadStack, STACK_FILE, type BuiltinProfile, type StackConfig } from '../spec/stack/index.js';
import { checkIgnoredCopies, compileAll, guessServiceVariant, loadProjectBlubber, stackFileFor } from './blubber.js';
import { followRepository, zeroConfigError } from './zero-config.js';
import type { Context } from './context.js';
import { displayPath, reportWarnings } from './spec-files.js';

/** `profiles/` of the devpipe package (from src/cli or dist/cli alike). */
export const builtinProfilesDir = fileURLToPath(new URL('../../profiles/', import.meta.url));

export async function readBuiltinProfiles(dir = builtinProfilesDir): Promise<BuiltinProfile[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.yaml')).sort();
  return Promise.all(names.map(async (name) => ({ name: name.replace(/\.yaml$/, ''), file: `profiles/${name}`, text: await readFile(path.join(dir, name), 'utf8') })));
}

/** Loads `.pipeline/devpipe.yaml` (or the zero-config default) with `--profile` applied. */
export async function loadStackConfig(ctx: Context): Promise<StackConfig> {
  const absolute = path.join(ctx.projectDir, STACK_FILE);
  let text: string | undefined;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new DevpipeError('environment', `cannot read ${absolute}: ${(error as Error).message}`, { cause: error });
  }
  const result = loadStack(text, displayPath(absolute), {
    directoryName: path.basename(ctx.projectDir),
    profile: ctx.options.profile,
    builtins: await readBuiltinProfiles(),
  });
  if (!result.ok) throw new SpecError(result.errors);
  // The `ci` profile's plain output: decided before the reporter is attached (first use).
  if (result.value.settings.output === 'plain') ctx.env.CI ??= 'true';
  await ctx.reporter();
  reportWarnings(ctx, result.warnings);
  // The settings' `images:` aliases apply to pinned images as to Blubber bases.
  return aliasPinnedImages(await followRepository(ctx, result.value), (await ctx.settings()).images);
}

export interface StackSecrets {
  resolved: ResolvedSecret[];
  redactor: Redactor;
  /** Emits through the redactor to the context's bus (the reporters). */
  bus: EventBus;
  /** Runs `fn`, redacting any error it throws. */
  guard<T>(fn: () => Promise<T>): Promise<T>;
  /** Prints a result line, redacted. */
  print(text?: string): void;
}

/**
 * Resolves every declared secret: fake < user file < DEVPIPE_SECRET_* < --secrets FILE. With
 * `requireAll`, a secret without a value is an error (exit 2).
 */
export async function resolveStackSecrets(ctx: Context, config: StackConfig, secretsFile: string | undefined, requireAll = true): Promise<StackSecrets> {
  const { userSecretsFile, YamlSecretsFile } = await import('../secrets/sources.js');
  const userFile = userSecretsFile(ctx.env, config.project);
  const sources = [new YamlSecretsFile(userFile, displayPath(userFile), false)];
  if (secretsFile) {
    const absolute = path.resolve(ctx.projectDir, secretsFile);
    sources.push(new YamlSecretsFile(absolute, `--secrets ${displayPath(absolute)}`, true));
  }
  const layers: SecretLayer[] = [fakeLayer(config.secrets, config.file ?? STACK_FILE)];
  const [user, flag] = await Promise.all(sources.map((s) => s.read()));
  if (user) layers.push({ source: sources[0]!.description, values: user });
  layers.push(envLayer(ctx.env, config.secrets));
  if (flag && sources[1]) layers.push({ source: sources[1].description, values: flag });
  const resolution = resolveSecrets(config.secrets, layers);
  for (const unknown of resolution.unknown) ctx.bus.emit('message', { level: 'warn', text: `${unknown.source}: "${unknown.name}" is not a secret declared in ${STACK_FILE}; ignored` });
  if (requireAll && resolution.missing.length > 0) throw missingSecretsError(resolution.missing, displayPath(userFile));
  checkSecretValues(config, resolution.resolved);
  ctx.redactor.add(resolution.resolved);
  const redactor = ctx.redactor;
  return {
    resolved: resolution.resolved,
    redactor,
    bus: ctx.bus,
    async guard<T>(fn: () => Promise<T>): Promise<T> {
      try {
        return await fn();
      } catch (error) {
        throw redactor.error(error);
      }
    },
    print: (text = '') => ctx.print(text),
  };
}

/** Paths (relative to the project) that must never be in a build context. */
export function secretPaths(ctx: Context, config: StackConfig, secretsFile: string | undefined): string[] {
  const paths = config.secrets.map((s) => secretPath(s.name));
  for (const service of config.services) if (service.secrets.some((s) => s.env)) paths.push(envFilePath(service.name));
  if (secretsFile) {
    const relative = path.relative(ctx.projectDir, path.resolve(ctx.projectDir, secretsFile));
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) paths.push(relative.split(path.sep).join('/'));
  }
  return paths;
}

/** Compiles every build of the stack (grouped by Blubber file); refuses contexts holding secrets. */
export async function compileStackBuilds(ctx: Context, config: StackConfig, withSuite: boolean, secretsFile: string | undefined, onlySuite = false): Promise<StackBuild[]> {
  let builds = buildsOf(config, withSuite);
  if (onlySuite) builds = config.e2e?.image.kind === 'build' ? builds.filter((b) => buildKey(b) === buildKey(config.e2e!.image as typeof b)) : [];
  const byFile = new Map<string, string[]>();
  for (const build of builds) byFile.set(build.blubber, [...(byFile.get(build.blubber) ?? []), build.variant]);
  const compiled = new Map<string, CompiledImage>();
  for (const [file, variants] of byFile) {
    const { config: blubber, images } = await loadProjectBlubber(ctx, file).catch((error: unknown) => {
      throw config.file === undefined ? zeroConfigError(ctx, config, error as Error, file) : error;
    });
    const unknown = variants.filter((v) => !blubber.variants[v]);
    if (unknown.length > 0 && config.file === undefined) {
      const available = Object.keys(blubber.variants);
      const guess = guessServiceVariant(available);
      throw new DevpipeError('usage', `the zero-config default builds variant "${unknown[0]}" of ${file}, which has no such variant (it has: ${available.join(', ') || 'none'})`, {
        hint: `pass --variant ${guess}, or write .pipeline/devpipe.yaml:\n${stackFileFor(file, config.services[0]?.name ?? 'service', guess)}`,
      });
    }
    const builds = compileAll(ctx, blubber, variants, {}, images);
    await checkIgnoredCopies(ctx, builds);
    builds.forEach((image, index) => compiled.set(`${file}#${variants[index]}`, image));
  }
  const { ignoreMatcher, readDockerignore } = await import('../docker/context.js');
  const patterns = await readDockerignore(ctx.projectDir);
  const risky = secretPaths(ctx, config, secretsFile);
  const out: StackBuild[] = [];
  for (const build of builds) {
    const image = compiled.get(buildKey(build));
    if (!image) continue;
    const leaks = contextLeaks(image.extraEntries, false, risky, patterns, (p) => ignoreMatcher(p));
    if (leaks.length > 0) throw contextLeakError(build.variant, leaks);
    out.push({ key: buildKey(build), image });
  }
  return out;
}

export async function stackPorts(ctx: Context): Promise<StackPorts> {
  const [docker, deployer, files, scanner] = await Promise.all([ctx.docker(), ctx.compose(), ctx.projectFiles(), ctx.imageScanner()]);
  return { builder: docker.builder, images: docker.images, containers: docker.containers, deployer, files, scanner, pods: docker.pods, resources: docker.resources };
}

/** For commands that run on Compose only (`dev`); the others dispatch on the target themselves. */
export function requireCompose(ctx: Context, config: StackConfig, command: string): void {
  const target = ctx.options.target ?? config.settings.target;
  if (target !== 'compose') {
    throw new DevpipeError('not-implemented', `\`devpipe ${command} --target ${target}\` is not implemented yet`, { hint: 'use the compose target (the default); on minikube, `devpipe up --target minikube` after a change rolls out what changed' });
  }
}

/**
 * `run.credentials` of `devpipe ci`: the same ids and the same resolution as the stack's secrets
 * (devpipe.yaml fake < user file < DEVPIPE_SECRET_<ID> < --secrets FILE). An id not declared in
 * devpipe.yaml is still found in the user file, the environment or the --secrets file. The shape
 * matches the ci runner's SecretSource (`get`, `describe`); `values()` feeds its redaction.
 */
export async function credentialSource(
  ctx: Context,
  secretsFile: string | undefined,
): Promise<{ get(id: string): Promise<string | undefined>; describe(): string; values(): string[] }> {
  const config = await loadStackConfig(ctx);
  const { userSecretsFile, YamlSecretsFile } = await import('../secrets/sources.js');
  const { secretEnvVar } = await import('../engine/stack/secrets.js');
  const stack = await resolveStackSecrets(ctx, config, secretsFile, false);
  const userFile = userSecretsFile(ctx.env, config.project);
  const user = (await new YamlSecretsFile(userFile, displayPath(userFile), false).read()) ?? {};
  const flag = secretsFile ? ((await new YamlSecretsFile(path.resolve(ctx.projectDir, secretsFile), secretsFile, true).read()) ?? {}) : {};
  const lookup = (id: string): string | undefined => flag[id] ?? ctx.env[secretEnvVar(id)] ?? user[id] ?? stack.resolved.find((s) => s.name === id)?.value;
  return {
    get: async (id) => lookup(id),
    describe: () =>
      `${secretsFile ? `--secrets ${secretsFile}, ` : ''}env DEVPIPE_SECRET_<ID>, ${displayPath(userFile)}, fakes in ${config.file ?? STACK_FILE}`,
    values: () => [...stack.resolved.map((s) => s.value), ...Object.values(user), ...Object.values(flag)],
  };
}

/** The kube target (issue #7): `--target minikube`, else the profile's / devpipe.yaml's `settings.target`. */
export function isKubeTarget(ctx: Context, config: StackConfig | undefined): boolean {
  return (ctx.options.target ?? config?.settings.target) === 'minikube';
}

/** For commands that work without a valid devpipe.yaml (down): `--target`, else the config's setting when it loads. */
export async function wantsKube(ctx: Context): Promise<boolean> {
  if (ctx.options.target) return ctx.options.target === 'minikube';
  try {
    return isKubeTarget(ctx, await loadStackConfig(ctx));
  } catch {
    return false;
  }
}

/** `DEVPIPE_LOCK_WAIT` (seconds, default 120): how long a command waits for another one on the project. */
export function lockWaitMs(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env.DEVPIPE_LOCK_WAIT ?? '120');
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 120_000;
}

/**
 * Runs `fn` holding the project lock (`.devpipe/lock`): `up`, `down`, `dev`'s start and
 * `e2e --up` never race each other on one project.
 */
export async function withProjectLock<T>(ctx: Context, command: string, signal: AbortSignal | undefined, fn: () => Promise<T>, file?: string): Promise<T> {
  const { acquireProjectLock } = await import('../fs/project-lock.js');
  const lock = await acquireProjectLock(ctx.projectDir, {
    command,
    ...(file ? { file } : {}),
    waitMs: lockWaitMs(ctx.env),
    signal,
    onNotice: (text) => ctx.bus.emit('message', { level: 'warn', text }),
  });
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
