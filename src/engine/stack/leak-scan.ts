/**
 * The leak guard, pure part: find secret values in byte streams (files of image layers, split in
 * arbitrary chunks), in an image config (env, labels, history), and in what a build context would
 * send. The I/O (reading `docker save` output) is in src/docker/image-scan.ts.
 */
import { Buffer } from 'node:buffer';
import { DevpipeError } from '../../errors.js';
import type { ContextEntry, LeakFinding } from '../../ports.js';

export interface Needle {
  name: string;
  value: string;
}

/** Finds needles across chunk boundaries: keeps the last (longest needle − 1) bytes. */
export class ChunkMatcher {
  readonly #needles: { name: string; bytes: Buffer }[];
  readonly #keep: number;
  #carry: Buffer = Buffer.alloc(0);
  readonly #found = new Set<string>();

  constructor(needles: readonly Needle[]) {
    this.#needles = needles.filter((n) => n.value.length > 0).map((n) => ({ name: n.name, bytes: Buffer.from(n.value) }));
    this.#keep = Math.max(0, ...this.#needles.map((n) => n.bytes.length - 1));
  }

  feed(chunk: Uint8Array): void {
    if (this.#needles.length === 0 || chunk.length === 0) return;
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    // Within the chunk (no copy), then across the boundary with the previous one.
    const boundary = this.#carry.length > 0 ? Buffer.concat([this.#carry, data.subarray(0, this.#keep)]) : undefined;
    for (const needle of this.#needles) {
      if (this.#found.has(needle.name)) continue;
      if (data.includes(needle.bytes) || (boundary !== undefined && boundary.includes(needle.bytes))) this.#found.add(needle.name);
    }
    if (this.#keep === 0) return;
    const tail = data.length >= this.#keep ? data.subarray(data.length - this.#keep) : Buffer.concat([this.#carry, data]);
    this.#carry = Buffer.from(tail.subarray(Math.max(0, tail.length - this.#keep)));
  }

  /** Names of the needles in one whole text (a file name, a link target); leaves the stream state alone. */
  search(text: string): string[] {
    if (text.length === 0) return [];
    const bytes = Buffer.from(text);
    return this.#needles.filter((n) => bytes.includes(n.bytes)).map((n) => n.name);
  }

  /** Names found since the last reset. */
  found(): string[] {
    return [...this.#found];
  }

  reset(): void {
    this.#carry = Buffer.alloc(0);
    this.#found.clear();
  }
}

export interface ImageConfigView {
  env?: readonly string[] | null | undefined;
  labels?: Readonly<Record<string, string>> | null | undefined;
  history?: readonly { created_by?: string | undefined; comment?: string | undefined }[] | null | undefined;
  entrypoint?: readonly string[] | null | undefined;
  cmd?: readonly string[] | null | undefined;
}

export function scanImageConfig(config: ImageConfigView, needles: readonly Needle[]): LeakFinding[] {
  const findings: LeakFinding[] = [];
  for (const needle of needles) {
    if (!needle.value) continue;
    for (const entry of config.env ?? []) {
      if (entry.includes(needle.value)) findings.push({ secret: needle.name, where: 'env', path: entry.split('=')[0] });
    }
    for (const [key, value] of Object.entries(config.labels ?? {})) {
      if (key.includes(needle.value) || value.includes(needle.value)) findings.push({ secret: needle.name, where: 'label', path: key });
    }
    (config.history ?? []).forEach((step, index) => {
      if ((step.created_by ?? '').includes(needle.value) || (step.comment ?? '').includes(needle.value)) {
        findings.push({ secret: needle.name, where: 'history', path: `step ${index + 1}: ${(step.created_by ?? '').slice(0, 60)}` });
      }
    });
    for (const part of [...(config.entrypoint ?? []), ...(config.cmd ?? [])]) {
      if (part.includes(needle.value)) findings.push({ secret: needle.name, where: 'config', path: 'entrypoint/cmd' });
    }
  }
  return findings;
}

function describe(finding: LeakFinding): string {
  switch (finding.where) {
    case 'layer':
      return `secret "${finding.secret}" in layer ${finding.layer ?? '?'} at /${(finding.path ?? '').replace(/^\/+/, '')}`;
    case 'env':
      return `secret "${finding.secret}" in the image env (${finding.path ?? '?'})`;
    case 'label':
      return `secret "${finding.secret}" in label ${finding.path ?? '?'}`;
    case 'history':
      return `secret "${finding.secret}" in the build history (${finding.path ?? '?'})`;
    default:
      return `secret "${finding.secret}" in the image config (${finding.path ?? '?'})`;
  }
}

/** Exit 1: the image holds a secret's value; names secret, layer and path. */
export function leakError(ref: string, findings: readonly LeakFinding[]): DevpipeError {
  const first = findings[0];
  return new DevpipeError('failure', `image ${ref} contains the value of ${first ? `secret "${first.secret}"` : 'a secret'}${findings.length > 1 ? ` (${findings.length} places)` : ''}`, {
    details: findings.slice(0, 20).map(describe),
    hint: 'secrets reach a service only at deploy time (/run/secrets/<name>); remove the value from the build (files, ENV, ARG, labels), rebuild, and delete this image (`docker rmi`)',
  });
}

/** Matcher factory for dockerignore patterns (the adapter passes Docker's own matching rules). */
export type PatternMatcher = (patterns: readonly string[]) => (relative: string) => boolean;

function strip(path: string): string {
  return path.replace(/^\.\/+/, '').replace(/\/+$/, '');
}

/**
 * Paths (relative to the project) of secret files a build context would send: the project root
 * when `sendProject`, and every `view` entry whose source covers the file and does not exclude it.
 */
export function contextLeaks(
  entries: readonly ContextEntry[],
  sendProject: boolean,
  secretPaths: readonly string[],
  projectPatterns: readonly string[],
  matcher: PatternMatcher,
): string[] {
  const projectIgnored = matcher(projectPatterns);
  const leaks = new Set<string>();
  for (const raw of secretPaths) {
    const file = strip(raw);
    // devpipe's own state is never part of a build context (docker/context.ts isDevpipeOwn).
    if (file === '.devpipe' || file.startsWith('.devpipe/')) continue;
    if (projectIgnored(file)) continue;
    if (sendProject) leaks.add(file);
    for (const entry of entries) {
      if (entry.kind !== 'view') continue;
      const source = strip(entry.source);
      let relative: string | undefined;
      if (source === '' || source === '.') relative = file;
      else if (file === source) relative = file.split('/').pop();
      else if (file.startsWith(`${source}/`)) relative = file.slice(source.length + 1);
      else if (/[*?[]/.test(source) && matcher([source])(file)) relative = file;
      if (relative !== undefined && !matcher(entry.exclude)(relative)) leaks.add(file);
    }
  }
  return [...leaks];
}

export function contextLeakError(variant: string, leaks: readonly string[]): DevpipeError {
  return new DevpipeError('spec', `refusing to build ${variant}: its build context would contain secret files`, {
    details: leaks.map((l) => `${l}`),
    hint: 'add your --secrets file to .dockerignore (or keep it outside the project), or copy narrower paths in the Blubber variant; secrets must never enter a build context',
  });
}
