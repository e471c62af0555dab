/**
 * `up`: build what is built here (in parallel, content-addressed), scan every built image for
 * secret values, render and write the stack, deploy it, wait until every service is ready.
 * Talks to ports only.
 */
import { DevpipeError } from '../../errors.js';
import type { ContainerRunner, ImageScanner, PodImages, ProjectFiles, StackDeployer, StackResources, StackTarget } from '../../ports.js';
import type { StackConfig } from '../../spec/stack/types.js';
import { requireImages, type ImageNeed } from '../base-images.js';
import { buildImages, type BuildPorts, type BuiltImage, type CompiledImage } from '../build.js';
import type { EventBus } from '../events.js';
import { writeStackFiles } from './files.js';
import { culprit, notReadyError, stackContainers, waitHealthy, type ServiceState } from './health.js';
import { startLeakGuard, type ScannedImage } from './leak-guard.js';
import { LABEL_ROLE, serviceUrls, stackModel, type StackModel } from './model.js';
import type { ResolvedSecret } from './secrets.js';

export interface StackPorts extends BuildPorts {
  containers: ContainerRunner;
  deployer: StackDeployer;
  files: ProjectFiles;
  scanner: ImageScanner;
  pods: PodImages;
  resources: StackResources;
}

export interface StackBuild {
  /** `buildKey` of the image source. */
  key: string;
  image: CompiledImage;
}

export interface BuildStackOptions {
  project: string;
  revision: string;
  fresh: boolean;
  concurrency: number;
  signal?: AbortSignal | undefined;
  /** The streamed build context is read for the secret values (the leak guard's context proof) even when `scan` is false. */
  readContext?: boolean;
  /**
   * false: nothing is scanned (images that never get a secret, dev's unit-test image); a list of
   * build keys: only those images (the ones secrets are mounted into). Default true: every image.
   */
  scan?: boolean | readonly string[];
}

/** Builds (in parallel) and scans every image; returns build key → content tag. */
export async function buildStackImages(
  ports: Pick<StackPorts, 'builder' | 'images' | 'scanner' | 'files'>,
  bus: EventBus,
  builds: readonly StackBuild[],
  secrets: readonly ResolvedSecret[],
  options: BuildStackOptions,
): Promise<Map<string, BuiltImage>> {
  const out = new Map<string, BuiltImage>();
  if (builds.length === 0) return out;
  const built = await buildImages(ports, bus, builds.map((b) => b.image), {
    project: options.project,
    contextDir: ports.files.root,
    revision: options.revision,
    noCache: options.fresh,
    concurrency: options.concurrency,
    signal: options.signal,
    labels: { [LABEL_ROLE]: 'stack' },
    // The context is looked at as it streams: copies from a clean one need no reading afterwards.
    contextNeedles: options.scan === false && options.readContext !== true ? undefined : secrets.map((s) => ({ name: s.name, value: s.value })),
  });
  builds.forEach((build, index) => {
    const image = built[index];
    if (image) out.set(build.key, image);
  });
  if (options.scan === false) return out;
  // Ctrl-C during a scan of a large image ends it at once (the scan's reads are dropped).
  const scanned = options.scan === undefined || options.scan === true ? builds : builds.filter((b) => (options.scan as readonly string[]).includes(b.key));
  await startLeakGuard(ports, bus, scannedImages(scanned, out), secrets, options.signal);
  return out;
}

/** The built images as the leak guard takes them (with the bases whose layers are out of scope). */
export function scannedImages(builds: readonly StackBuild[], built: ReadonlyMap<string, BuiltImage>): ScannedImage[] {
  const bases = new Map(builds.map((b) => [b.key, b.image.baseImages]));
  return [...built].filter(([key]) => bases.has(key)).map(([key, b]) => ({ ref: b.contentTag, imageId: b.imageId, baseImages: bases.get(key), contextClean: b.contextClean }));
}

/** `work`, or an `interrupted` error as soon as the signal aborts. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new DevpipeError('interrupted', 'cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DevpipeError('interrupted', 'cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export { LEAK_GUARD_CACHE, scanImages, startLeakGuard, verdictKey } from './leak-guard.js';

export interface UpInput {
  config: StackConfig;
  builds: readonly StackBuild[];
  secrets: readonly ResolvedSecret[];
  revision: string;
  signal?: AbortSignal | undefined;
  /** Waiting knobs (tests). */
  pollMs?: number;
  deployGraceMs?: number;
  /** Tests: how long unchanged containers mean Compose is only waiting (DEPLOY_IDLE_MS). */
  idleMs?: number;
  settleMs?: number;
}

export interface UpSummary {
  model: StackModel;
  target: StackTarget;
  images: BuiltImage[];
  states: ServiceState[];
  services: { name: string; image: string; urls: string[]; kind: 'built' | 'pinned' }[];
}

/** How long a deploy may finish its own work after the wait failed or Ctrl-C, before it is stopped. */
export const DEPLOY_GRACE_MS = 15_000;

/**
 * Compose renames a container to `<12 hex>_<name>` while it recreates it; a deploy stopped at
 * that moment (a kill, a lost engine) leaves it `Created`, and the next deploy trips over it.
 */
async function removeHalfRecreated(containers: ContainerRunner, project: string, bus: EventBus): Promise<void> {
  for (const container of await stackContainers(containers, project)) {
    if (container.state === 'created' && /^[0-9a-f]{12}_/.test(container.name)) {
      await containers.remove(container.id);
      bus.emit('message', { level: 'info', text: `removed ${container.name}, left half-recreated by an interrupted deploy` });
    }
  }
}

/** The pinned images of the stack's services and e2e suite (after aliases), for the check before any build. */
export function pinnedNeeds(config: UpInput['config'], withSuite = false): ImageNeed[] {
  const sources = [...config.services.map((s) => ({ image: s.image, usedBy: `service ${s.name}` })), ...(withSuite && config.e2e ? [{ image: config.e2e.image, usedBy: 'the e2e suite' }] : [])];
  return sources.flatMap(({ image, usedBy }) => (image.kind === 'pinned' ? [{ image: image.ref, usedBy: [usedBy], aliasOf: image.aliasOf }] : []));
}

export async function upStack(ports: StackPorts, bus: EventBus, input: UpInput): Promise<UpSummary> {
  const { config } = input;
  // Compose is found (`compose version`, half a second or more) while the images build; when it
  // is missing, the build stops and its hinted error (exit 3) is what the user sees.
  const deployer = ports.deployer.describe();
  const stopBuild = new AbortController();
  deployer.catch(() => stopBuild.abort());
  // A pinned image that is neither here nor pullable: said before anything is built.
  await requireImages(ports.images, pinnedNeeds(config));
  const building = buildStackImages(ports, bus, input.builds, input.secrets, {
    project: config.project,
    revision: input.revision,
    fresh: config.settings.freshBuilds,
    concurrency: config.settings.buildConcurrency,
    signal: input.signal ? AbortSignal.any([input.signal, stopBuild.signal]) : stopBuild.signal,
    // Scanned below, beside the deploy preparation; the context is read as it streams.
    scan: false,
    readContext: true,
  });
  const built = await building.catch(async (error: unknown) => {
    await deployer; // Compose missing: its error, not the cancelled build's.
    throw error;
  });
  await deployer;
  // The leak guard runs beside the deploy preparation; nothing starts before its verdict.
  const verdict = startLeakGuard(ports, bus, scannedImages(input.builds, built), input.secrets, input.signal);
  const model = stackModel(config, new Map([...built].map(([key, image]) => [key, image.contentTag])));
  if (model.services.some((s) => s.pod)) await ports.pods.ensure();
  const target = await writeStackFiles(ports.files, model, input.secrets);
  // Nothing of the stack starts before the verdict, not even the idle pods: a refused or
  // interrupted `up` then has nothing to take down (Ctrl-C during the scan exits at once).
  await verdict;

  const deployId = 'deploy';
  const started = Date.now();
  bus.emit('task:start', { id: deployId, title: `deploy ${config.project} (${await ports.deployer.describe()})` });
  // The deployer may itself wait for dependencies to be healthy (compose `service_healthy`), so
  // the health wait runs beside it, and health_timeout bounds both: a dependency that never gets
  // healthy is named (with its logs) instead of blocking until Compose gives up.
  // The deployer gets its own signal, not the user's: Compose interrupted mid-recreate leaves a
  // `<id>_<name>` container behind. It is stopped only after a grace period (stopDeployer).
  const abort = new AbortController();
  await removeHalfRecreated(ports.containers, config.project, bus);
  let outcome: { ok: true } | { ok: false; error: unknown } | undefined;
  const deploying = ports.deployer.up(target, { signal: abort.signal, onLine: (line) => bus.emit('task:log', { id: deployId, line }) }).then(
    () => {
      outcome = { ok: true };
      bus.emit('task:end', { id: deployId, status: 'ok', durationMs: Date.now() - started });
    },
    (error: unknown) => {
      outcome = { ok: false, error };
      bus.emit('task:end', { id: deployId, status: 'failed', durationMs: Date.now() - started });
    },
  );
  let states: ServiceState[];
  try {
    states = await waitHealthy(ports, bus, model, target, {
      timeoutMs: config.settings.healthTimeoutMs,
      signal: input.signal,
      pollMs: input.pollMs,
      settleMs: input.settleMs,
      deployed: () => outcome !== undefined,
      check: async (current) => {
        if (!outcome || outcome.ok) return undefined;
        const error = outcome.error;
        // Compose gave up on an unhealthy dependency: blame that service, with its logs.
        const bad = culprit(current);
        if (error instanceof DevpipeError && error.kind === 'failure' && /healthy/.test(error.message) && bad) {
          return notReadyError(ports.deployer, target, bad, 'did not become healthy');
        }
        return error instanceof Error ? error : new DevpipeError('failure', String(error));
      },
    });
  } catch (error) {
    // Compose only waiting (for a dependency that will not get healthy) is stopped as soon as the
    // project's containers stay unchanged for a moment; one still creating gets the whole grace.
    const idle = new AbortController();
    await stopDeployer(deploying, abort, input.deployGraceMs ?? DEPLOY_GRACE_MS, containersSettled(ports.containers, config.project, input.idleMs ?? DEPLOY_IDLE_MS, idle.signal));
    idle.abort();
    throw error;
  }
  await deploying;
  if (outcome && !outcome.ok) throw outcome.error;
  return {
    model,
    target,
    images: [...built.values()],
    states,
    services: model.services.map((s) => ({ name: s.name, image: s.imageRef ?? '', urls: serviceUrls(s), kind: s.image.kind === 'build' ? 'built' : 'pinned' })),
  };
}

/**
 * Lets a deploy finish (never cut Compose mid-recreate), stopping it after `graceMs`, or as soon as
 * `idle` resolves (its containers stopped changing: Compose is only waiting).
 */
export async function stopDeployer(deploying: Promise<unknown>, abort: AbortController, graceMs: number, idle?: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  const finished = deploying.then(() => 'done' as const);
  if ((await Promise.race([finished, grace, ...(idle ? [idle] : [])])) !== 'done') abort.abort();
  clearTimeout(timer);
  await deploying;
}

/** How long the project's containers must stay unchanged before a waiting Compose is stopped. */
export const DEPLOY_IDLE_MS = 2_000;

/** Resolves once the project's containers (ids, names, states) have not changed for `quietMs`; never when `stop` aborts first. */
export async function containersSettled(containers: ContainerRunner, project: string, quietMs: number, stop: AbortSignal): Promise<void> {
  let last: string | undefined;
  let since = Date.now();
  while (!stop.aborted) {
    const list = await stackContainers(containers, project).catch(() => undefined);
    const signature = list?.map((c) => `${c.id} ${c.name} ${c.state}`).sort().join('|');
    if (signature === undefined || signature !== last) {
      last = signature;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, quietMs)));
  }
  await new Promise<never>(() => undefined);
}
