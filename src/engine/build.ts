/**
 * Building compiled variants into images, content-addressed: the tag is derived from everything
 * that goes into the build (Dockerfile, target, build args, the context's content, the base
 * images' IDs), so an unchanged input gives the same tag and no build at all. Tags are applied
 * only after a successful build. Talks to ports only.
 */
import { createHash } from 'node:crypto';
import { DevpipeError } from '../errors.js';
import type { BuildRequest, ContextEntry, ImageBuilder, ImageStore } from '../ports.js';
import { requireImages } from './base-images.js';
import { MultiMatcher } from './stack/multi-match.js';
import type { EventBus } from './events.js';
import { LABEL_BASES, LABEL_CONTENT_HASH, LABEL_MANAGED_BY, LABEL_PROJECT, LABEL_REVISION, LABEL_VARIANT, MANAGED_BY } from './labels.js';

/** What the compiler hands over for one variant (see compile/CompiledBuild). */
export interface CompiledImage {
  variant: string;
  target: string;
  dockerfile: string;
  buildkit: boolean;
  extraEntries: readonly ContextEntry[];
  buildArgs: Readonly<Record<string, string>>;
  baseImages: readonly string[];
  /** Send the project at the context root (compiled with local paths as written). */
  sendProject?: boolean;
  /** Base images replaced by a settings alias (`images:`). */
  substitutions?: readonly { image: string; alias: string }[];
}

export interface BuildImagesOptions {
  project: string;
  contextDir: string;
  /** Source revision, recorded as a label (`git` commit, `+dirty`, or `none`). */
  revision: string;
  /** Extra tags; `{variant}` is replaced by the variant name. */
  extraTags?: readonly string[];
  /** Patterns used instead of .dockerignore (PipelineLib `build.excludes`). */
  ignorePatterns?: readonly string[] | undefined;
  noCache?: boolean;
  pull?: boolean;
  concurrency?: number;
  signal?: AbortSignal | undefined;
  /** Extra labels (e.g. devpipe.run for pipeline runs). */
  labels?: Readonly<Record<string, string>>;
  /**
   * Also tag `<project>:<variant>` (default true): the moving tag of `devpipe build`, `up` and
   * `dev`. `ci` builds only content-addressed tags and never moves this one.
   */
  movingTag?: boolean;
  /**
   * Secret values to look for in the build context as it streams to the engine: a built image
   * then says whether its context held none of them (`contextClean`, the leak guard's proof for
   * the layers copied from the context).
   */
  contextNeedles?: readonly { name: string; value: string }[] | undefined;
}

export interface BuiltImage {
  variant: string;
  imageId: string;
  /** Every tag, the content-addressed one first. */
  tags: string[];
  contentTag: string;
  cached: boolean;
  durationMs: number;
  /** Built here now, and the streamed context held no value of `contextNeedles` (in any encoding the leak guard knows). */
  contextClean?: boolean | undefined;
}

export interface BuildPorts {
  builder: ImageBuilder;
  images: ImageStore;
}

/**
 * Docker repository name for a project: lowercase path component (`[a-z0-9]` runs joined by
 * one `.`, `_`, `__` or dashes); any other run of characters (`+`, spaces, `..`) becomes `-`.
 * Empty when nothing usable is left (see `requireRepositoryName`).
 */
export function repositoryName(project: string): string {
  return project
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, (run) => (run === '.' || run === '_' || run === '__' || /^-+$/.test(run) ? run : '-'))
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[^a-z0-9]+$/, '');
}

/** The repository name, or exit 2 saying how to name the project. */
export function requireRepositoryName(project: string, source: string): string {
  const name = repositoryName(project);
  if (name !== '') return name;
  throw new DevpipeError('usage', `cannot derive an image name from ${source} ${JSON.stringify(project)}: it has no letter or digit`, {
    hint: 'set `project: my-service` in .pipeline/devpipe.yaml (lowercase letters, digits, - and _), or run devpipe from a directory with such a name (-C DIR)',
  });
}

/** Docker tag text for a variant: [A-Za-z0-9_.-], at most 128 characters with the hash. */
export function tagSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 100);
}

export function contentHash(image: CompiledImage, contextDigest: string, baseIds: readonly string[]): string {
  const args = Object.entries(image.buildArgs).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256')
    .update(JSON.stringify({ target: image.target, buildkit: image.buildkit, args, contextDigest, baseIds, dockerfile: image.dockerfile }))
    .digest('hex');
}

const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
/** Docker's reference grammar: [host[:port]/]path[:tag], path lower-case. */
const referencePattern = new RegExp(`^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?${pathComponent}(?:/${pathComponent})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$`);

export function expandTags(tags: readonly string[], variant: string, variantCount: number): string[] {
  return tags.map((written) => {
    let tag = written;
    if (tag.includes('{variant}')) tag = tag.replaceAll('{variant}', variant);
    else if (variantCount > 1) {
      throw new DevpipeError('usage', `--tag ${written} would name every variant the same`, {
        hint: 'with several variants put {variant} in the tag, e.g. --tag myservice:{variant}',
      });
    }
    if (!referencePattern.test(tag)) {
      throw new DevpipeError('usage', `--tag ${tag} is not a valid image name`, {
        hint: 'use NAME[:TAG] with a lower-case name (a-z, 0-9, . _ - and / between parts), e.g. --tag myservice:dev',
      });
    }
    return tag;
  });
}

async function buildOne(ports: BuildPorts, bus: EventBus, image: CompiledImage, options: BuildImagesOptions, variantCount: number): Promise<BuiltImage> {
  const started = Date.now();
  const id = `build:${image.variant}`;
  bus.emit('task:start', { id, title: `build ${image.variant}` });
  const extraTags = expandTags(options.extraTags ?? [], image.variant, variantCount);
  const repository = requireRepositoryName(options.project, 'the project name');

  const baseIds: string[] = [];
  for (const base of image.baseImages) {
    const info = await ports.images.inspect(base);
    if (!info && !options.pull) {
      bus.emit('message', { level: 'warn', text: `${image.variant}: base image ${base} is not present locally; the engine will try to pull it` });
    }
    baseIds.push(info?.id ?? `missing:${base}`);
  }

  const request: BuildRequest = {
    contextDir: options.contextDir,
    dockerfile: image.dockerfile,
    target: image.target,
    buildArgs: image.buildArgs,
    tags: [],
    extraEntries: image.extraEntries,
    sendProject: image.sendProject ?? true,
    ignorePatterns: options.ignorePatterns,
    buildkit: image.buildkit,
    noCache: options.noCache ?? false,
    pull: options.pull ?? false,
    signal: options.signal,
    onLog: (line) => bus.emit('task:log', { id, line }),
  };
  const digest = await ports.builder.contextDigest(request);
  const hash = contentHash(image, digest, baseIds);
  const contentTag = `${repository}:${tagSafe(image.variant)}-${hash.slice(0, 12)}`;
  const tags = [contentTag, ...(options.movingTag === false ? [] : [`${repository}:${tagSafe(image.variant)}`]), ...extraTags];
  const labels = {
    ...options.labels,
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_PROJECT]: options.project,
    [LABEL_VARIANT]: image.variant,
    [LABEL_REVISION]: options.revision,
    [LABEL_CONTENT_HASH]: hash,
    // The leak guard scans only the layers above these (`devpipe secrets check` reads it back).
    [LABEL_BASES]: image.baseImages.join(' '),
  };

  if (!options.noCache && !options.pull) {
    const existing = await ports.images.inspect(contentTag);
    if (existing && existing.labels[LABEL_CONTENT_HASH] === hash) {
      for (const tag of tags.slice(1)) await ports.images.tag(existing.id, tag);
      const durationMs = Date.now() - started;
      bus.emit('task:end', { id, status: 'cached', durationMs, detail: 'inputs unchanged' });
      bus.emit('image:built', { variant: image.variant, imageId: existing.id, tags, cached: true, durationMs });
      return { variant: image.variant, imageId: existing.id, tags, contentTag, cached: true, durationMs };
    }
  }

  try {
    const matcher = options.contextNeedles && options.contextNeedles.length > 0 ? new MultiMatcher(options.contextNeedles) : undefined;
    const result = await ports.builder.build(withLabels({ ...request, tags, ...(matcher ? { onContextChunk: (chunk: Uint8Array) => matcher.feed(chunk) } : {}) }, labels));
    const durationMs = Date.now() - started;
    bus.emit('task:end', { id, status: 'ok', durationMs });
    bus.emit('image:built', { variant: image.variant, imageId: result.imageId, tags, cached: false, durationMs });
    return { variant: image.variant, imageId: result.imageId, tags, contentTag, cached: false, durationMs, ...(matcher ? { contextClean: matcher.found().length === 0 } : {}) };
  } catch (error) {
    bus.emit('task:end', { id, status: 'failed', durationMs: Date.now() - started, detail: (error as Error).message });
    throw error;
  }
}

/**
 * The labels as ONE `LABEL` line at the end of the target stage when it is the last stage (the
 * classic builder turns each label passed through the API into a step of its own, a container
 * each); otherwise through the API.
 */
export function withLabels(request: BuildRequest, labels: Readonly<Record<string, string>>): BuildRequest {
  const stages = [...request.dockerfile.matchAll(/^FROM\s+\S+(?:\s+AS\s+(\S+))?\s*$/gim)];
  const last = stages[stages.length - 1];
  if (!last || (request.target !== undefined && last[1] !== request.target)) return { ...request, labels };
  const quote = (text: string) => JSON.stringify(text).replaceAll('$', '\\$');
  const pairs = Object.entries(labels).map(([k, v]) => `${quote(k)}=${quote(v)}`).join(' ');
  const lines = request.dockerfile.replace(/\n+$/, '').split('\n');
  const lastLine = lines[lines.length - 1] ?? '';
  // Blubber's own final `LABEL blubber.variant=…` line takes ours too: no extra step at all.
  if (lastLine.startsWith('LABEL ')) lines[lines.length - 1] = `${lastLine} ${pairs}`;
  else lines.push(`LABEL ${pairs}`);
  return { ...request, dockerfile: `${lines.join('\n')}\n` };
}

/**
 * Builds every image (up to `concurrency` at a time). Every build runs to its end; when any
 * failed, the first failure is thrown after the others finished.
 */
export async function buildImages(ports: BuildPorts, bus: EventBus, images: readonly CompiledImage[], options: BuildImagesOptions): Promise<BuiltImage[]> {
  for (const image of images) expandTags(options.extraTags ?? [], image.variant, images.length);
  // Every base image first: one that is neither here nor pullable fails the run before any build.
  if (!options.pull) await requireImages(ports.images, images.flatMap((image) => image.baseImages.map((base) => ({ image: base, usedBy: [image.variant], aliasOf: image.substitutions?.find((s) => s.alias === base)?.image }))));
  bus.emit('plan', { tasks: images.map((image) => ({ id: `build:${image.variant}`, title: `build ${image.variant}` })), concurrent: (options.concurrency ?? 2) > 1 });
  const results: (BuiltImage | undefined)[] = new Array(images.length);
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < images.length) {
      const index = next++;
      try {
        results[index] = await buildOne(ports, bus, images[index]!, options, images.length);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 2, images.length)) }, worker));
  if (failures.length > 0) throw failures[0];
  return results.filter((r): r is BuiltImage => r !== undefined);
}
