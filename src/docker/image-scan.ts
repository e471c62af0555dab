/**
 * The leak guard's I/O: read an image as `docker save` streams it, in either layout (Engine < 25
 * `<id>/layer.tar`, Engine 25+ OCI `blobs/sha256/<hex>`, layers plain, gzip or zstd), scan every
 * layer the project's build added (above the base image) and the config (env, labels, history)
 * with the pure scanner (engine/stack/leak-scan.ts). Fails closed: a layer in scope that cannot be
 * read, an archive without a usable manifest, or an engine lost mid-stream is an error (exit 3),
 * never a clean verdict. A verdict cache (`LayerVerdicts`) lets a layer proven clean for the
 * current values go unread by the matcher.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { DevpipeError } from '../errors.js';
import type { ImageInfo, ImageScanner, ImageStore, LayerVerdicts, LeakFinding, ScanOptions } from '../ports.js';
import { scanImageConfig } from '../engine/stack/leak-scan.js';
import { Automaton, MultiMatcher } from '../engine/stack/multi-match.js';
import { baseLayerCount, chainIds, historyAboveBase, layerLabel, layersToRead, legacyLayerIndex, parseManifest, resolveLink, savedEntry } from '../engine/stack/saved-image.js';
import { peek, scanLayer, type LayerResult } from './layer-scan.js';
import { LABEL_BASES } from '../engine/labels.js';

interface SavedConfig {
  config?: { Env?: string[] | null; Labels?: Record<string, string> | null; Entrypoint?: string[] | null; Cmd?: string[] | null };
  history?: { created?: string; created_by?: string; comment?: string }[];
  rootfs?: { diff_ids?: string[] };
}

/** What one archive entry turned out to be. */
type Entry = { kind: 'layer'; result: LayerResult } | { kind: 'skipped'; diffId: string } | { kind: 'failed'; reason: string } | { kind: 'link'; target: string };

const MAX_JSON = 64 * 1024 * 1024;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Env, labels, entrypoint/cmd and history the project's build added (not the base image's). */
function configFindings(
  config: { Env?: readonly string[] | null; Labels?: Record<string, string> | null; Entrypoint?: readonly string[] | null; Cmd?: readonly string[] | null } | ImageInfo,
  base: ImageInfo | undefined,
  { history }: { history: readonly { created?: string | undefined; created_by?: string | undefined; comment?: string | undefined }[] },
  matcher: MultiMatcher,
): LeakFinding[] {
  const view = 'id' in config ? { Env: config.env, Labels: config.labels, Entrypoint: config.entrypoint, Cmd: config.cmd } : config;
  const baseEnv = new Set(base?.env ?? []);
  const baseLabels = base?.labels ?? {};
  const baseCreated = base?.created ? Date.parse(base.created) : undefined;
  return scanImageConfig(
    {
      env: (view.Env ?? []).filter((e) => !baseEnv.has(e)),
      labels: Object.fromEntries(Object.entries(view.Labels ?? {}).filter(([k, v]) => baseLabels[k] !== v)),
      // From the archive (full times): the steps after the base's creation; from the API: already cut.
      history: 'id' in config ? history : history.filter((h) => baseCreated === undefined || h.created === undefined || Date.parse(h.created) > baseCreated),
      entrypoint: same(view.Entrypoint, base?.entrypoint) ? [] : view.Entrypoint,
      cmd: same(view.Cmd, base?.cmd) ? [] : view.Cmd,
    },
    matcher,
  );
}

const same = (a: readonly string[] | null | undefined, b: readonly string[] | null | undefined) => b !== undefined && b !== null && JSON.stringify(a ?? null) === JSON.stringify(b);

function drain(stream: Readable, limit = MAX_JSON): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    stream.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limit) chunks.push(chunk);
    });
    stream.on('end', () => (length > limit ? reject(new Error(`larger than ${limit} bytes`)) : resolve(Buffer.concat(chunks))));
    stream.on('error', reject);
  });
}

function skip(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
    stream.resume();
  });
}

function unreadable(ref: string, reason: string, cause?: unknown): DevpipeError {
  return new DevpipeError('environment', `the leak guard cannot read image ${ref}: ${reason}`, {
    cause,
    hint: 'nothing was deployed: devpipe never passes an image it could not scan; check `docker info` and `docker save <image> | tar t`, then run the command again',
  });
}

export class DockerImageScanner implements ImageScanner {
  constructor(private readonly images: ImageStore) {}

  async scan(ref: string, secrets: readonly { name: string; value: string }[], options: ScanOptions = {}): Promise<LeakFinding[]> {
    const needles = secrets.filter((s) => s.value.length > 0);
    if (needles.length === 0) return [];
    const info = await this.images.inspect(ref);
    const baseRefs = options.baseImages ?? (info?.labels[LABEL_BASES] ?? '').split(' ').filter(Boolean);
    const bases = await Promise.all(baseRefs.map((b) => this.images.inspect(b).catch(() => undefined)));
    const skipCount = baseLayerCount(info?.layers, bases.map((b) => b?.layers));
    const base = bases.find((b) => b?.layers !== undefined && b.layers.length === skipCount && skipCount > 0);
    const outOfScope = new Set((info?.layers ?? []).slice(0, skipCount));
    const matcher = new MultiMatcher(needles);
    const { verdicts } = options;
    const layerCount = info?.layers?.length ?? 0;
    // Every layer in scope proven clean for these values: nothing is exported; the config (env,
    // labels, entrypoint, history) comes from inspect and history.
    if (info?.layers && verdicts && this.images.history && layersToRead(info.layers, skipCount, (d) => verdicts.isClean(d)).length === 0) {
      const [steps, baseSteps] = await Promise.all([this.images.history(ref), base ? this.images.history(baseRefs[bases.indexOf(base)]!) : undefined]);
      const history = historyAboveBase(steps, base && { ...base, history: baseSteps });
      options.onStats?.({ layers: layerCount, base: skipCount, cached: layerCount - skipCount, scanned: 0, exported: false, baseRead: 0 });
      return configFindings(info, base, { history: history.map((h) => ({ created_by: h.createdBy, comment: h.comment })) }, matcher);
    }
    const entries = new Map<string, Entry>();
    const jsons = new Map<string, Buffer>();
    const cancelled = () => new DevpipeError('interrupted', `the leak guard's scan of ${ref} was cancelled`);
    let archive: NodeJS.ReadableStream;
    try {
      archive = await this.images.export(ref, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw cancelled();
      throw error instanceof DevpipeError ? error : unreadable(ref, (error as Error).message, error);
    }
    const onAbort = () => (archive as unknown as Readable).destroy(cancelled());
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.#read(archive, matcher.automaton, entries, jsons, { outOfScope, layers: info?.layers ?? [] }, verdicts);
    } catch (error) {
      if (options.signal?.aborted) throw cancelled();
      throw unreadable(ref, `the image stream broke off (${(error as Error).message}): was the engine stopped or restarted?`, error);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (options.signal?.aborted) throw cancelled();
    const findings = this.#verdict(ref, info, base, skipCount, entries, jsons, matcher, verdicts);
    const read = [...entries.values()].filter((e) => e.kind === 'layer' && !outOfScope.has(e.result.diffId)).length;
    const skipped = [...entries.values()].filter((e) => e.kind === 'skipped' && !outOfScope.has(e.diffId)).length;
    const baseRead = [...entries.values()].filter((e) => e.kind === 'layer' && outOfScope.has(e.result.diffId)).length;
    options.onStats?.({ layers: layerCount, base: skipCount, cached: skipped, scanned: read, exported: true, baseRead });
    return findings;
  }

  #read(
    archive: NodeJS.ReadableStream,
    needles: Automaton,
    entries: Map<string, Entry>,
    jsons: Map<string, Buffer>,
    { outOfScope, layers }: { outOfScope: ReadonlySet<string>; layers: readonly string[] },
    verdicts: LayerVerdicts | undefined,
  ): Promise<void> {
    // Engine < 25: a layer directory's json (before its layer.tar) tells which layer it holds.
    const chains = chainIds(layers, sha256);
    const named = new Map<string, string>();
    return new Promise<void>((resolve, reject) => {
      const outer = extract();
      outer.on('entry', (header, raw, next) => {
        const stream = raw as unknown as Readable;
        const name = header.name.replace(/^\.\//, '');
        const saved = savedEntry(name);
        const kind = saved.kind;
        const handle = async (): Promise<void> => {
          if (saved.kind === 'v1json') {
            const index = legacyLayerIndex(saved.id, (await drain(stream, 1024 * 1024)).toString(), chains, sha256);
            if (index !== undefined && layers[index]) named.set(`legacy:${saved.id}/layer.tar`, layers[index]);
            return;
          }
          if ((kind === 'layer' || kind === 'blob') && (header.type === 'symlink' || header.type === 'link')) {
            entries.set(name, { kind: 'link', target: header.type === 'symlink' ? resolveLink(name, header.linkname ?? '') : (header.linkname ?? '').replace(/^\.\//, '') });
            return skip(stream);
          }
          if (kind === 'json') {
            jsons.set(name, await drain(stream));
            return;
          }
          if (kind !== 'layer' && kind !== 'blob') return skip(stream);
          // A layer known (from its stored digest) to be base or proven clean for these values:
          // its bytes pass by unread (neither hashed nor matched).
          const stored = kind === 'blob' ? `sha256:${name.slice('blobs/sha256/'.length)}` : undefined;
          const known = named.get(`legacy:${name}`) ?? verdicts?.diffIdOf(stored ?? `legacy:${name}`) ?? (stored && (outOfScope.has(stored) || verdicts?.isClean(stored)) ? stored : undefined);
          if (known !== undefined && (outOfScope.has(known) || verdicts?.isClean(known))) {
            entries.set(name, { kind: 'skipped', diffId: known });
            return skip(stream);
          }
          const { head, stream: body } = await peek(stream as AsyncIterable<unknown>, 512);
          if (kind === 'blob' && /^\s*\{/.test(head.subarray(0, 16).toString('latin1'))) {
            jsons.set(name, await drain(body));
            return;
          }
          try {
            entries.set(name, { kind: 'layer', result: await scanLayer(body, needles, head) });
          } catch (error) {
            entries.set(name, { kind: 'failed', reason: (error as Error).message });
            // The rest of this entry must still be consumed for the outer tar to go on.
            if (!body.readableEnded) await skip(body).catch(() => undefined);
          }
        };
        handle().then(() => next(), (error: unknown) => outer.destroy(error as Error));
      });
      outer.on('finish', resolve);
      outer.on('error', reject);
      archive.on('error', (error: Error) => outer.destroy(error));
      archive.pipe(outer as unknown as NodeJS.WritableStream);
    });
  }

  #verdict(
    ref: string,
    info: ImageInfo | undefined,
    base: ImageInfo | undefined,
    skipCount: number,
    entries: ReadonlyMap<string, Entry>,
    jsons: ReadonlyMap<string, Buffer>,
    matcher: MultiMatcher,
    verdicts: LayerVerdicts | undefined,
  ): LeakFinding[] {
    const manifest = parseManifest(jsons.get('manifest.json')?.toString());
    if (typeof manifest === 'string') throw unreadable(ref, manifest);
    const configText = jsons.get(manifest.config);
    if (!configText) throw unreadable(ref, `its config ${manifest.config} is missing from the archive`);
    let saved: SavedConfig;
    try {
      saved = JSON.parse(configText.toString()) as SavedConfig;
    } catch (error) {
      throw unreadable(ref, `its config is not JSON (${(error as Error).message})`, error);
    }
    const diffIds = saved.rootfs?.diff_ids ?? info?.layers ?? [];
    const findings: LeakFinding[] = [];
    manifest.layers.forEach((layerPath, index) => {
      let entry = entries.get(layerPath);
      for (let hops = 0; entry?.kind === 'link' && hops < 8; hops++) entry = entries.get(entry.target);
      const inScope = index >= skipCount;
      const label = layerLabel(index, manifest.layers.length, diffIds[index]);
      const storedKey = layerPath.startsWith('blobs/') ? `sha256:${layerPath.slice('blobs/sha256/'.length)}` : `legacy:${layerPath}`;
      if (!entry || entry.kind === 'link') {
        if (inScope) throw unreadable(ref, `layer ${label} (${layerPath}) is not in the archive`);
        return;
      }
      if (entry.kind === 'failed') {
        if (inScope) throw unreadable(ref, `layer ${label} (${layerPath}) cannot be parsed: ${entry.reason}`);
        return;
      }
      if (entry.kind === 'skipped') return;
      const { result } = entry;
      if (!inScope) {
        verdicts?.remember(storedKey, result.diffId, undefined);
        return;
      }
      for (const f of result.findings) findings.push({ secret: f.secret, where: 'layer', layer: label, path: f.in === 'content' ? f.path : `${f.path} (${f.in})` });
      verdicts?.remember(storedKey, result.diffId, result.findings.length === 0);
    });
    findings.push(...configFindings(saved.config ?? {}, base, { history: saved.history ?? [] }, matcher));
    return findings;
  }
}
