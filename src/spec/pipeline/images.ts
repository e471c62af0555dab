/**
 * Names PipelineLib gives to what it builds and publishes (reference §1.5, §2.3, §3.5), as pure
 * functions for the runner: sanitizing, the project-prefix rule for published names, registry
 * references, the values a publish step binds, and the `setup.*` values derived from the checkout.
 */

export const registry = {
  /** Where images are pulled from and what `imageFullName` names. */
  public: 'docker-registry.wikimedia.org',
  /** Where WMF's pusher pushes to (the same registry, internal name). */
  push: 'docker-registry.discovery.wmnet',
  repository: 'wikimedia',
} as const;

/** PipelineLib's sanitizing of published names and tags: lower-case, every `/` → `-`. */
export function sanitizeImageName(name: string): string {
  return name.toLowerCase().replaceAll('/', '-');
}

export const sanitizeTag = sanitizeImageName;

/**
 * The published-name rule: the sanitized name must equal, or start with `<prefix>-`, where prefix
 * is the sanitized `setup.project` or `setup.projectShortName`. Returns the error message, or
 * undefined when the name is allowed.
 */
export function publishedNameError(name: string, project: string, projectShortName: string): string | undefined {
  const sanitized = sanitizeImageName(name);
  const prefixes = [sanitizeImageName(project), sanitizeImageName(projectShortName)];
  if (prefixes.some((prefix) => sanitized === prefix || sanitized.startsWith(`${prefix}-`))) return undefined;
  return `the published image name (\`${sanitized}\`) must either match or be prefixed by the full or short project name (\`${prefixes[0]}\` or \`${prefixes[1]}\`)`;
}

/** `<registry>/<repository>/<name>`; names must be lower-case and slash-free (PipelineLib asserts it). */
export function qualifiedImageName(name: string, host: string = registry.public, repository: string = registry.repository): string {
  if (name !== name.toLowerCase() || name.includes('/')) throw new Error(`image name must be lower-case and contain no '/': ${name}`);
  return `${host}/${repository}/${name}`;
}

/** Every tag a publish pushes: the primary tag then the extra ones, sanitized, empty ones dropped, each once. */
export function publishTags(tag: string, tags: readonly string[]): string[] {
  return [...new Set([tag, ...tags].map(sanitizeTag).filter((t) => t !== ''))];
}

export interface PublishBindings {
  imageName: string;
  imageFullName: string;
  /** The primary tag as interpolated, **not** sanitized (as PipelineLib binds it). */
  imageTag: string;
  imageTags: string[];
  publishedImage: string;
}

/** What a publish step binds, from its resolved `name`, `tag` and `tags`. */
export function publishBindings(image: { name: string; tag: string; tags: readonly string[] }): PublishBindings {
  const imageName = sanitizeImageName(image.name);
  const imageFullName = qualifiedImageName(imageName);
  return { imageName, imageFullName, imageTag: image.tag, imageTags: publishTags(image.tag, image.tags), publishedImage: `${imageFullName}:${image.tag}` };
}

/** `yyyy-MM-dd-HHmmss` in UTC, the `setup.timestamp` format. */
export function pipelineTimestamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

/** `setup.project` from a git remote URL: the path without leading `/`, `r/` and `.git`. */
export function projectFromRemote(remote: string): { project: string; projectShortName: string } {
  let path = remote.trim();
  const scp = /^[^/@]+@[^:/]+:(.*)$/.exec(path);
  if (scp) path = scp[1]!;
  else {
    try {
      path = new URL(path).pathname;
    } catch {
      // a plain path
    }
  }
  path = path.replace(/^\/+/, '').replace(/^r\//, '').replace(/\.git$/, '').replace(/\/+$/, '');
  return { project: path, projectShortName: path.slice(path.lastIndexOf('/') + 1) };
}

/** `setup.tag`: the tag name when the ref is `refs/tags/<tag>`, else `""`. */
export function tagFromRef(ref: string | undefined): string {
  return ref?.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : '';
}

const alphanumerics = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random `[a-z0-9]` characters from `random` (injected, so tests are deterministic). */
export function randomAlphanum(length: number, random: () => number = Math.random): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphanumerics[Math.floor(random() * alphanumerics.length)] ?? 'a';
  return out;
}

/** `localhost/plib-image-<rand8>`: the local tag of a built image, usable as a Blubber `base:`. */
export function localImageName(suffix: string): string {
  return `localhost/plib-image-${suffix}`;
}

/** `plib-run-<rand8>`: the name of a run step's container. */
export function runContainerName(suffix: string): string {
  return `plib-run-${suffix}`;
}
