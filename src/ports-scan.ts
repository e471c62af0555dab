/** The leak guard's ports: scanning images for secret values, and the verdict cache it keeps. */

/** Where a secret value was found in an image. */
export interface LeakFinding {
  secret: string;
  where: 'layer' | 'env' | 'label' | 'history' | 'config';
  /** Layer id (digest or directory name in the saved image) for `layer`. */
  layer?: string | undefined;
  /** File path inside the layer, env var or label name. */
  path?: string | undefined;
}

/**
 * The leak guard's verdict cache for one set of secret values: which diff ID a stored layer
 * (`sha256:<blob hex>` or `legacy:<id>/layer.tar`) is, and which diff IDs were proven clean.
 */
export interface LayerVerdicts {
  diffIdOf(storedKey: string): string | undefined;
  isClean(diffId: string): boolean;
  /** `clean` undefined: out of scope (a base layer), only the stored key → diff ID fact is kept. */
  remember(storedKey: string, diffId: string, clean: boolean | undefined): void;
}

export interface ScanOptions {
  /** The images the build started from: their layers are out of scope (not the project's). */
  baseImages?: readonly string[] | undefined;
  verdicts?: LayerVerdicts | undefined;
  /** Ctrl-C: the image export is aborted and the scan rejects (nothing keeps reading it). */
  signal?: AbortSignal | undefined;
  /** Told once what the scan had to read (for the reporter and the benchmarks). */
  onStats?: ((stats: ScanStats) => void) | undefined;
}

export interface ScanStats {
  /** Layers of the image, the base's, the ones proven clean before for these values, the ones read and matched now. */
  layers: number;
  base: number;
  cached: number;
  scanned: number;
  /** Whether the image was exported at all (not when every layer in scope was proven clean before). */
  exported: boolean;
  /** Base layers read (hashed) only to tell which layer they are: 0 when the archive names them. */
  baseRead: number;
}

/**
 * Scans an image for secret values: the files (content, names, link targets) of every layer the
 * project's build added, and the config env, labels, history. Exit 3 when it cannot read it.
 */
export interface ImageScanner {
  scan(ref: string, secrets: readonly { name: string; value: string }[], options?: ScanOptions): Promise<LeakFinding[]>;
}

// The dev loop's ports (watcher, hot sync, pods, fast redeploy) live in their own file.
