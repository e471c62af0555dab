/**
 * The leak guard after a build: every image built here is scanned for every secret value before
 * anything runs it. Two caches, both in `.devpipe/cache/leak-guard.json` (0600 in 0700
 * directories; hashes and digests only, never a value, so it outlives `down`, which removes the
 * secret files under `.devpipe/secrets/`):
 *
 * - an image verdict: an image ID proven clean for the exact set of values is not exported again;
 * - layer verdicts: a layer (by diff ID) proven clean for the set of values is not matched again,
 *   so after a rebuild only the layers the rebuild added are scanned; base-image layers are out
 *   of scope (see docs/secrets.md). A changed value (or a new secret) is a new set: nothing of
 *   the old verdicts applies to it.
 */
import { createHash } from 'node:crypto';
import type { ImageScanner, ImageStore, LayerVerdicts, ProjectFiles, ScanStats } from '../../ports.js';
import type { EventBus } from '../events.js';
import { DevpipeError } from '../../errors.js';
import { leakError } from './leak-scan.js';
import { proveContextLayers } from './leak-proof.js';
import type { ResolvedSecret } from './secrets.js';

export const LEAK_GUARD_CACHE = '.devpipe/cache/leak-guard.json';

/** Verdicts kept per value set (the oldest sets are dropped first). */
const MAX_SETS = 8;
const MAX_ENTRIES = 4000;

/** What a verdict is keyed by: the exact secret values it was checked against. */
export function valuesKey(secrets: readonly { name: string; value: string }[]): string {
  const pairs = [...secrets].sort((a, b) => a.name.localeCompare(b.name)).map((s) => [s.name, s.value]);
  return createHash('sha256').update(JSON.stringify(pairs)).digest('hex');
}

/** What an image verdict is keyed by: the image and the exact secret values. */
export function verdictKey(imageId: string, secrets: readonly { name: string; value: string }[]): string {
  return createHash('sha256').update(JSON.stringify([imageId, valuesKey(secrets)])).digest('hex');
}

interface CacheFile {
  version: 2;
  /** Clean image verdicts (verdictKey). */
  images: string[];
  /** Stored layer key → diff ID (facts, independent of the values). */
  layers: Record<string, string>;
  /** valuesKey → diff IDs proven clean for those values. */
  clean: Record<string, string[]>;
}

/** The verdict cache of one value set, over the cache file's content. */
export class VerdictCache implements LayerVerdicts {
  readonly #file: CacheFile;
  readonly #clean: Set<string>;
  readonly #set: string;
  changed = false;

  constructor(text: string | undefined, secrets: readonly { name: string; value: string }[]) {
    this.#file = VerdictCache.parse(text);
    this.#set = valuesKey(secrets);
    this.#clean = new Set(this.#file.clean[this.#set] ?? []);
  }

  static parse(text: string | undefined): CacheFile {
    try {
      const parsed = JSON.parse(text ?? '') as Partial<CacheFile>;
      if (parsed.version === 2) return { version: 2, images: parsed.images ?? [], layers: parsed.layers ?? {}, clean: parsed.clean ?? {} };
    } catch {
      // No cache, an old one, or a damaged one: start empty (a cache never decides safety).
    }
    return { version: 2, images: [], layers: {}, clean: {} };
  }

  diffIdOf(storedKey: string): string | undefined {
    return this.#file.layers[storedKey];
  }

  isClean(diffId: string): boolean {
    return this.#clean.has(diffId);
  }

  remember(storedKey: string, diffId: string, clean: boolean | undefined): void {
    if (this.#file.layers[storedKey] !== diffId) {
      this.#file.layers[storedKey] = diffId;
      this.changed = true;
    }
    if (clean === true && !this.#clean.has(diffId)) {
      this.#clean.add(diffId);
      this.changed = true;
    }
  }

  hasImage(key: string): boolean {
    return this.#file.images.includes(key);
  }

  addImage(key: string): void {
    this.#file.images.push(key);
    this.changed = true;
  }

  text(): string {
    const clean = { ...this.#file.clean };
    delete clean[this.#set];
    const sets = Object.entries(clean).slice(-(MAX_SETS - 1));
    sets.push([this.#set, [...this.#clean].slice(-MAX_ENTRIES)]);
    const layers = Object.entries(this.#file.layers).slice(-MAX_ENTRIES);
    return JSON.stringify({ version: 2, images: this.#file.images.slice(-200), layers: Object.fromEntries(layers), clean: Object.fromEntries(sets) } satisfies CacheFile);
  }
}

/** `1 of 4 layers read, 3 proven clean before` / `no export: all 4 layers proven clean before`. */
export function readSummary(stats: ScanStats): string {
  const own = stats.layers - stats.base;
  if (!stats.exported) return `no export: ${own === 1 ? 'its layer' : `all ${own} layers`} above the base proven clean before`;
  return `${stats.scanned} of ${own} layer${own === 1 ? '' : 's'} read${stats.cached > 0 ? `, ${stats.cached} proven clean before` : ''}`;
}

export interface ScannedImage {
  ref: string;
  imageId?: string | undefined;
  /** The images its build started from (their layers are not scanned). */
  baseImages?: readonly string[] | undefined;
  /** Built now from a context that held no secret value: its context-copy layers are proven clean without reading. */
  contextClean?: boolean | undefined;
}

/** The scanner, the cache's home, and (for the context proof) the image's layers and history. */
export interface LeakGuardPorts {
  scanner: ImageScanner;
  files?: ProjectFiles | undefined;
  images?: Pick<ImageStore, 'inspect' | 'history'> | undefined;
}

export async function scanImages(
  ports: LeakGuardPorts,
  bus: EventBus,
  images: readonly ScannedImage[],
  secrets: readonly ResolvedSecret[],
  signal?: AbortSignal,
): Promise<void> {
  const needles = secrets.map((s) => ({ name: s.name, value: s.value }));
  const cache = new VerdictCache(ports.files ? await ports.files.read(LEAK_GUARD_CACHE) : undefined, needles);
  try {
    for (const { ref, imageId, baseImages, contextClean } of images) {
      const id = `scan:${ref}`;
      const started = Date.now();
      bus.emit('task:start', { id, title: `leak guard ${ref}` });
      const key = imageId ? verdictKey(imageId, needles) : undefined;
      if (key && cache.hasImage(key)) {
        bus.emit('task:end', { id, status: 'cached', durationMs: Date.now() - started, detail: 'image and secret values unchanged since its last clean scan' });
        continue;
      }
      let findings;
      let stats: ScanStats | undefined;
      let proven = 0;
      try {
        if (contextClean && needles.length > 0 && ports.images) proven = await proveContextLayers(ports.images, ref, (diffId) => cache.remember(diffId, diffId, true));
        findings = await ports.scanner.scan(ref, needles, { baseImages, verdicts: cache, onStats: (s) => (stats = s), signal });
      } catch (error) {
        bus.emit('task:end', { id, status: signal?.aborted ? 'skipped' : 'failed', durationMs: Date.now() - started, detail: signal?.aborted ? 'cancelled (Ctrl-C)' : (error as Error).message });
        throw error;
      }
      if (findings.length > 0) {
        bus.emit('task:end', { id, status: 'failed', durationMs: Date.now() - started, detail: `${findings.length} finding(s)` });
        throw leakError(ref, findings);
      }
      if (key) cache.addImage(key);
      bus.emit('task:end', { id, status: 'ok', durationMs: Date.now() - started, detail: needles.length ? `no secret value in the layers this build added, nor in env, labels or history${stats ? ` (${readSummary(stats)}${proven > 0 ? `; ${proven} copied from a context that held no secret value` : ''})` : ''}` : 'no secrets declared' });
    }
  } finally {
    if (cache.changed && ports.files) await ports.files.write(LEAK_GUARD_CACHE, cache.text(), { mode: 0o600 });
  }
}

/**
 * Starts the leak guard over freshly built images and returns its verdict: a promise to await
 * just before the first container that runs one of them starts (deploy preparation runs
 * meanwhile). It rejects with the leak error (exit 1), an unreadable image (exit 3), or
 * `interrupted` when the signal aborts. Never an unhandled rejection if the caller has not
 * awaited it yet.
 */
export function startLeakGuard(
  ports: LeakGuardPorts,
  bus: EventBus,
  images: readonly ScannedImage[],
  secrets: readonly ResolvedSecret[],
  signal?: AbortSignal,
): Promise<void> {
  const work = scanImages(ports, bus, images, secrets, signal);
  const verdict = signal
    ? new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new DevpipeError('interrupted', 'cancelled'));
        if (signal.aborted) onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      })
    : work;
  verdict.catch(() => undefined);
  return verdict;
}
