/**
 * Build contexts: walk the project directory honouring .dockerignore (Docker's own matching rules),
 * hash what would be sent (content and mode, not mtimes) and stream it as a tar, never buffering
 * the whole context. Generated entries (the Dockerfile, builder scripts, filtered views for
 * Blubber's `exclude`) are added to the stream only; nothing is written into the project.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import dockerignoreModule from '@balena/dockerignore';
import { pack, type Pack } from 'tar-stream';
import { DevpipeError } from '../errors.js';
import type { ContextEntry } from '../ports.js';
import { containment } from '../fs/containment.js';

/** Where generated entries live inside the context stream. */
export const generatedDir = '.devpipe-context';
export const dockerfilePath = `${generatedDir}/Dockerfile`;

export interface ContextFile {
  /** Path inside the context (posix). */
  name: string;
  /** Absolute path on disk. */
  absolute: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  size: number;
  mtime: Date;
  linkname?: string;
}

type Matcher = (relative: string) => boolean;

// A CommonJS module whose typings declare an ES default export.
const dockerignore = dockerignoreModule as unknown as typeof dockerignoreModule.default;

export async function readDockerignore(contextDir: string): Promise<string[]> {
  try {
    return parseIgnoreFile(await readFile(path.join(contextDir, '.dockerignore'), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export function parseIgnoreFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** A matcher that says whether a context-relative path is excluded. */
export function ignoreMatcher(patterns: readonly string[]): Matcher {
  if (patterns.length === 0) return () => false;
  const ig = dockerignore().add([...patterns]);
  return (relative) => ig.ignores(relative);
}

/**
 * Walks `root/source` (sorted, deterministic), yielding entries not excluded by `excluded`.
 * Directories are pruned only when no `!` pattern could re-include something below them.
 */
/**
 * devpipe's own state (`.devpipe/`: fake secrets, records, reports) and its own config file
 * (`.pipeline/devpipe.yaml`, which may hold fake values) are never part of any build context
 * view, whatever .dockerignore says; so no devpipe command changes the next build's content hash.
 */
export function isDevpipeOwn(projectRelative: string): boolean {
  const p = path.posix.normalize(projectRelative).replace(/^\.\/+/, '').replace(/\/+$/, '');
  return p === '.devpipe' || p.startsWith('.devpipe/') || p === '.pipeline/devpipe.yaml';
}

export async function* walkContext(
  root: string,
  excluded: Matcher,
  options: { source?: string; hasNegations?: boolean; prefix?: string } = {},
): AsyncGenerator<ContextFile> {
  const base = path.join(root, options.source ?? '.');
  const stack: string[] = [''];
  while (stack.length > 0) {
    const relDir = stack.pop()!;
    const names = (await readdir(path.join(base, relDir))).sort();
    const subdirs: string[] = [];
    for (const name of names) {
      const rel = relDir ? `${relDir}/${name}` : name;
      if (isDevpipeOwn(options.source ? `${options.source}/${rel}` : rel)) continue;
      const absolute = path.join(base, rel);
      const stats = await lstat(absolute);
      const isExcluded = excluded(rel);
      if (stats.isDirectory()) {
        if (isExcluded && !options.hasNegations) continue;
        if (!isExcluded) {
          yield { name: joinPrefix(options.prefix, rel), absolute, type: 'directory', mode: stats.mode & 0o7777, size: 0, mtime: stats.mtime };
        }
        subdirs.push(rel);
      } else if (!isExcluded) {
        if (stats.isSymbolicLink()) {
          yield { name: joinPrefix(options.prefix, rel), absolute, type: 'symlink', mode: stats.mode & 0o7777, size: 0, mtime: stats.mtime, linkname: await readlink(absolute) };
        } else if (stats.isFile()) {
          yield { name: joinPrefix(options.prefix, rel), absolute, type: 'file', mode: stats.mode & 0o7777, size: stats.size, mtime: stats.mtime };
        }
      }
    }
    // Depth-first, in sorted order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
  }
}

function joinPrefix(prefix: string | undefined, rel: string): string {
  return prefix ? `${prefix}/${rel}` : rel;
}

export interface ContextPlan {
  contextDir: string;
  /** Patterns in force (the project's .dockerignore, or the override). */
  patterns: string[];
  extraEntries: readonly ContextEntry[];
  dockerfile: string;
  /** Walk the project directory into the context root (false: only generated entries and views). */
  sendProject: boolean;
}

/** Every entry of the context in stream order: project files, then generated entries. */
async function* planEntries(plan: ContextPlan): AsyncGenerator<ContextFile | { name: string; content: string; mode: number }> {
  if (plan.sendProject) {
    const patterns = [...plan.patterns, generatedDir];
    const matcher = ignoreMatcher(patterns);
    const hasNegations = patterns.some((p) => p.startsWith('!'));
    yield* walkContext(plan.contextDir, matcher, { hasNegations });
    // The .dockerignore in the stream names only the generated Dockerfile, so the daemon drops it
    // after reading it; the project's own patterns were already applied above.
    yield { name: '.dockerignore', content: `${dockerfilePath}\n.dockerignore\n`, mode: 0o644 };
  }
  yield { name: dockerfilePath, content: plan.dockerfile, mode: 0o644 };
  // Mirrored views may overlap (`.` and `package.json`): each name is sent once.
  const sent = new Set<string>();
  for (const entry of plan.extraEntries) {
    if (entry.kind === 'file') {
      yield { name: entry.path, content: entry.content, mode: entry.mode ?? 0o644 };
      continue;
    }
    for await (const file of entry.mirror ? mirrorEntries(plan, entry) : viewEntries(plan, entry)) {
      if (sent.has(file.name)) continue;
      sent.add(file.name);
      yield file;
    }
  }
}

/** A mirrored view: what matches `entry.source` keeps its project path under `entry.path`. */
async function* mirrorEntries(plan: ContextPlan, entry: Extract<ContextEntry, { kind: 'view' }>): AsyncGenerator<ContextFile> {
  const projectExcluded = ignoreMatcher(plan.patterns);
  const viewExcluded = ignoreMatcher(entry.exclude);
  const excluded: Matcher = (rel) => projectExcluded(rel) || viewExcluded(rel);
  const negations = [...plan.patterns, ...entry.exclude].some((p) => p.startsWith('!'));
  const source = path.posix.normalize(entry.source).replace(/\/$/, '') || '.';
  if (globChars.test(source)) {
    const matches = ignoreMatcher([source]);
    // Walk only below the glob's fixed leading directories (`python/` for `python/*.py`).
    const segments = source.split('/');
    const fixed = segments.slice(0, segments.findIndex((segment) => globChars.test(segment))).join('/');
    const walk = fixed
      ? walkContext(plan.contextDir, (rel) => excluded(`${fixed}/${rel}`), { source: fixed, prefix: fixed, hasNegations: negations })
      : walkContext(plan.contextDir, excluded, { hasNegations: negations });
    for await (const file of walk) {
      // A match, or anything inside a matched directory (dockerignore matching covers both).
      if (matches(file.name)) yield { ...file, name: `${entry.path}/${file.name}` };
    }
    return;
  }
  if (source === '.') {
    yield* walkContext(plan.contextDir, excluded, { hasNegations: negations, prefix: entry.path });
    return;
  }
  const stats = await sourceStats(plan, source);
  if (stats.isDirectory()) {
    yield* walkContext(plan.contextDir, (rel) => excluded(`${source}/${rel}`), { source, hasNegations: negations, prefix: `${entry.path}/${source}` });
  } else if (!excluded(source) && !isDevpipeOwn(source)) {
    yield { name: `${entry.path}/${source}`, absolute: path.join(plan.contextDir, source), type: 'file', mode: stats.mode & 0o7777, size: stats.size, mtime: stats.mtime };
  }
}

/**
 * A view's source, followed as Docker follows a COPY source: symlinks resolved, scoped to the
 * build context. One that resolves outside it is refused (exit 2), never read.
 */
async function sourceStats(plan: ContextPlan, source: string): Promise<import('node:fs').Stats> {
  const verdict = await containment(plan.contextDir, source);
  if (!verdict.inside) {
    throw new DevpipeError('spec', `"${source}" resolves outside the build context ${plan.contextDir} (${verdict.via ? `through the symlink to ${verdict.via}` : verdict.resolved})`, {
      hint: 'a build reads only the project directory: copy the file into the project (a symlink must point inside it)',
    });
  }
  return stat(path.join(plan.contextDir, source)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new DevpipeError('failure', `"${source}" does not exist in the build context ${plan.contextDir}`, {
      hint: 'a copies/requirements source is relative to the project directory (-C); check the path and .dockerignore',
    });
  });
}

const globChars = /[*?[]/;

/**
 * A filtered view of `entry.source` under `entry.path`: the project's ignore patterns apply to
 * project paths, the view's own `exclude` patterns to paths relative to the source. A glob source
 * (`python/*.py`) places every match under the view directory, as `COPY python/*.py dest/` would.
 */
async function* viewEntries(plan: ContextPlan, entry: Extract<ContextEntry, { kind: 'view' }>): AsyncGenerator<ContextFile> {
  const projectExcluded = ignoreMatcher(plan.patterns);
  const viewExcluded = ignoreMatcher(entry.exclude);
  const negations = [...plan.patterns, ...entry.exclude].some((p) => p.startsWith('!'));
  const source = path.posix.normalize(entry.source).replace(/\/$/, '') || '.';
  if (globChars.test(source)) {
    const matches = ignoreMatcher([source]);
    const matchedDirs: string[] = [];
    for await (const file of walkContext(plan.contextDir, projectExcluded, { hasNegations: negations })) {
      if (matchedDirs.some((dir) => file.name.startsWith(`${dir}/`))) {
        const dir = matchedDirs.find((d) => file.name.startsWith(`${d}/`))!;
        const rel = file.name.slice(dir.length + 1);
        if (!viewExcluded(rel)) yield { ...file, name: `${entry.path}/${rel}` };
        continue;
      }
      if (!matches(file.name)) continue;
      if (file.type === 'directory') matchedDirs.push(file.name);
      else if (!viewExcluded(path.posix.basename(file.name))) yield { ...file, name: `${entry.path}/${path.posix.basename(file.name)}` };
    }
    return;
  }
  const stats = await sourceStats(plan, source);
  if (stats.isDirectory()) {
    const prefix = source === '.' ? '' : `${source}/`;
    const excluded: Matcher = (rel) => projectExcluded(`${prefix}${rel}`) || viewExcluded(rel);
    yield* walkContext(plan.contextDir, excluded, { source, hasNegations: negations, prefix: entry.path });
  } else if (!projectExcluded(source) && !isDevpipeOwn(source)) {
    yield { name: entry.path, absolute: path.join(plan.contextDir, source), type: 'file', mode: stats.mode & 0o7777, size: stats.size, mtime: stats.mtime };
  }
}

/**
 * Content hash of the context as it would be sent: names, types, modes and file contents
 * (mtimes excluded, so a touched-but-unchanged file keeps the hash).
 */
export async function hashContext(plan: ContextPlan): Promise<{ digest: string; files: number; bytes: number }> {
  const hash = createHash('sha256');
  let files = 0;
  let bytes = 0;
  for await (const entry of planEntries(plan)) {
    if ('content' in entry) {
      hash.update(`G ${entry.name} ${entry.mode.toString(8)}\0${entry.content}\0`);
      continue;
    }
    hash.update(`${entry.type[0]} ${entry.name} ${entry.mode.toString(8)} ${entry.linkname ?? ''}\0`);
    if (entry.type === 'file') {
      files++;
      bytes += entry.size;
      for await (const chunk of createReadStream(entry.absolute)) hash.update(chunk as Buffer);
      hash.update('\0');
    }
  }
  return { digest: hash.digest('hex'), files, bytes };
}

/** Streams the context as a tar (one file at a time; never the whole context in memory). */
export function packContext(plan: ContextPlan, signal?: AbortSignal): Pack {
  const tar = pack();
  void (async () => {
    try {
      for await (const entry of planEntries(plan)) {
        signal?.throwIfAborted();
        if ('content' in entry) {
          await addBuffer(tar, entry.name, Buffer.from(entry.content), entry.mode);
        } else if (entry.type === 'directory') {
          await addEntry(tar, { name: entry.name, type: 'directory', mode: entry.mode, mtime: entry.mtime });
        } else if (entry.type === 'symlink') {
          await addEntry(tar, { name: entry.name, type: 'symlink', linkname: entry.linkname ?? '', mode: entry.mode, mtime: entry.mtime });
        } else {
          const sink = tar.entry({ name: entry.name, type: 'file', size: entry.size, mode: entry.mode, mtime: entry.mtime });
          await pipeline(createReadStream(entry.absolute), sink);
        }
      }
      tar.finalize();
    } catch (error) {
      tar.destroy(error as Error);
    }
  })();
  return tar;
}

function addEntry(tar: Pack, header: Parameters<Pack['entry']>[0]): Promise<void> {
  return new Promise((resolve, reject) => {
    tar.entry(header, (error) => (error ? reject(error) : resolve()));
  });
}

function addBuffer(tar: Pack, name: string, content: Buffer, mode: number): Promise<void> {
  return new Promise((resolve, reject) => {
    tar.entry({ name, type: 'file', mode, size: content.length, mtime: new Date(0) }, content, (error) => (error ? reject(error) : resolve()));
  });
}
