/**
 * The two layouts of `docker save` and the leak guard's scope, pure:
 *
 * - Engine < 25: `<v1-id>/layer.tar` (an uncompressed tar per layer, a duplicate layer may be a
 *   symlink to another one), `<config-hex>.json`, `manifest.json` naming both;
 * - Engine 25+ (OCI image layout): `blobs/sha256/<hex>` for layers, config and manifests (a layer
 *   blob may be gzip- or zstd-compressed), `index.json`, `oci-layout`, and a `manifest.json` whose
 *   `Layers` and `Config` point into `blobs/`.
 *
 * Either way `manifest.json`'s `Layers[i]` is the image's `rootfs.diff_ids[i]`. The guard scans
 * the layers above the base image (the ones the project's build added): the longest prefix of
 * the image's layers that is a whole base image's layer list is out of scope.
 */

export type SavedEntry =
  | { kind: 'layer'; layout: 'legacy' | 'oci' }
  /** An OCI blob: a layer, or a JSON config/manifest; told apart by its first bytes. */
  | { kind: 'blob' }
  | { kind: 'json' }
  /** `<v1 id>/json` of the Engine < 25 layout: names its layer (see legacyLayerIndex). */
  | { kind: 'v1json'; id: string }
  | { kind: 'other' };

export function savedEntry(name: string): SavedEntry {
  const clean = name.replace(/^\.\//, '');
  if (/^[^/]+\/layer\.tar$/.test(clean)) return { kind: 'layer', layout: 'legacy' };
  if (/^blobs\/sha256\/[0-9a-f]{64}$/.test(clean)) return { kind: 'blob' };
  if (/^[0-9a-f]{64}\/json$/.test(clean)) return { kind: 'v1json', id: clean.slice(0, 64) };
  if (clean.endsWith('.json')) return { kind: 'json' };
  return { kind: 'other' };
}

export type Compression = 'gzip' | 'zstd' | 'none';

/** Tells a layer's compression from its first bytes (a JSON blob starts with `{`). */
export function sniff(head: Uint8Array): Compression | 'json' | 'unknown' {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
  if (head[i] === 0x7b) return 'json';
  // A tar: `ustar` at offset 257, or an empty tar (zero blocks).
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return 'none';
  if (head.length >= 512 && head.subarray(0, 512).every((b) => b === 0)) return 'none';
  return 'unknown';
}

export interface SavedManifest {
  config: string;
  layers: string[];
}

/** `manifest.json` (both layouts) → config path and layer paths, or a reason it is unusable. */
export function parseManifest(text: string | undefined): SavedManifest | string {
  if (text === undefined) return 'the archive has no manifest.json';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return `manifest.json is not JSON (${(error as Error).message})`;
  }
  const first = Array.isArray(parsed) ? (parsed[0] as { Config?: unknown; Layers?: unknown } | undefined) : undefined;
  if (!first || typeof first.Config !== 'string' || !Array.isArray(first.Layers) || !first.Layers.every((l) => typeof l === 'string')) {
    return 'manifest.json does not name a config and a list of layers';
  }
  return { config: first.Config.replace(/^\.\//, ''), layers: (first.Layers as string[]).map((l) => l.replace(/^\.\//, '')) };
}

/** Resolves a symlinked layer path (`<id>/layer.tar -> ../<other>/layer.tar`) inside the archive. */
export function resolveLink(from: string, linkname: string): string {
  const parts = linkname.startsWith('/') ? [] : from.split('/').slice(0, -1);
  for (const part of linkname.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

/**
 * How many of the image's bottom layers belong to its base image: the longest base layer list
 * that is a prefix of the image's layers (0 when none is, or the lists are unknown).
 */
export function baseLayerCount(imageLayers: readonly string[] | undefined, baseLayerLists: readonly (readonly string[] | undefined)[]): number {
  if (!imageLayers) return 0;
  let best = 0;
  for (const base of baseLayerLists) {
    if (!base || base.length === 0 || base.length > imageLayers.length || base.length <= best) continue;
    if (base.every((layer, i) => imageLayers[i] === layer)) best = base.length;
  }
  return best;
}

/** A short, stable name for a layer in messages: `3/5 (sha256:0123456789ab)`. */
export function layerLabel(index: number, count: number, digest: string | undefined): string {
  return `${index + 1}/${count}${digest ? ` (${digest.replace(/^(sha256:)?([0-9a-f]{12}).*$/, 'sha256:$2')})` : ''}`;
}

/** Which layers (diff IDs) a scan must read: in scope (above the base) and not proven clean before. */
export function layersToRead(layers: readonly string[], baseCount: number, isClean: (diffId: string) => boolean): string[] {
  return layers.slice(baseCount).filter((diffId) => !isClean(diffId));
}

/**
 * The build history steps the project added: those after the base image's own steps (an image
 * built FROM a base starts with the base's history), else those above the step whose image is the
 * base, else those created after the base (to the second: a step in the base's own second stays
 * in scope).
 */
export function historyAboveBase<T extends { image?: string | undefined; created?: string | undefined; createdBy: string }>(
  steps: readonly T[],
  base: { id: string; created?: string | undefined; history?: readonly { createdBy: string }[] | undefined } | undefined,
): T[] {
  if (!base) return [...steps];
  const own = base.history;
  if (own && own.length > 0 && own.length <= steps.length && own.every((step, i) => steps[i]!.createdBy === step.createdBy)) return steps.slice(own.length);
  const top = steps.findIndex((s) => s.image === base.id);
  if (top >= 0) return steps.slice(top + 1);
  const baseSecond = base.created ? Math.floor(Date.parse(base.created) / 1000) * 1000 : undefined;
  if (baseSecond === undefined || Number.isNaN(baseSecond)) return [...steps];
  return steps.filter((s) => s.created === undefined || !(Date.parse(s.created) < baseSecond));
}

/** The chain IDs of an image's layers (`ChainID(n) = sha256(ChainID(n-1) + " " + DiffID(n))`). */
export function chainIds(diffIds: readonly string[], sha256: (text: string) => string): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) out.push(out.length === 0 ? diffId : `sha256:${sha256(`${out[out.length - 1]!} ${diffId}`)}`);
  return out;
}

/**
 * Engine < 25 names a saved layer `<v1 id>/layer.tar`, the v1 id being the sha256 of its
 * `<v1 id>/json` (minus id, parent and os as set after) with the layer's chain ID and the parent's
 * v1 id added, keys sorted (Docker's `v1.CreateID`). Returns the index of the layer whose chain
 * ID reproduces `id`, or undefined (then the layer is read and hashed, as before: a v1 json in
 * another shape only costs the shortcut, never a verdict).
 */
export function legacyLayerIndex(id: string, json: string, chains: readonly string[], sha256: (text: string) => string): number | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const parent = typeof parsed.parent === 'string' ? parsed.parent : undefined;
  const base: Record<string, unknown> = { ...parsed };
  delete base.id;
  delete base.parent;
  const shapes = [base];
  if ('os' in base) {
    const withoutOs = { ...base };
    delete withoutOs.os;
    shapes.push(withoutOs);
  }
  for (const shape of shapes) {
    for (let i = 0; i < chains.length; i++) {
      const fields: Record<string, unknown> = { ...shape, layer_id: chains[i] };
      if (parent) fields.parent = parent.startsWith('sha256:') ? parent : `sha256:${parent}`;
      const text = `{${Object.keys(fields).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(fields[k])}`).join(',')}}`;
      if (sha256(text) === id) return i;
    }
  }
  return undefined;
}
