/**
 * The leak guard's I/O: read an image as `docker save` streams it (manifest, config, one tar per
 * layer), and feed every file of every layer, the config env, labels and history to the pure
 * scanner (engine/stack/leak-scan.ts). Streams; never holds a layer in memory.
 */
import { extract } from 'tar-stream';
import type { ImageScanner, ImageStore, LeakFinding } from '../ports.js';
import { ChunkMatcher, scanImageConfig, type Needle } from '../engine/stack/leak-scan.js';

interface SavedConfig {
  config?: { Env?: string[] | null; Labels?: Record<string, string> | null; Entrypoint?: string[] | null; Cmd?: string[] | null };
  history?: { created_by?: string; comment?: string }[];
}

/** Scans one layer tar (a stream) file by file. */
function scanLayer(stream: NodeJS.ReadableStream, needles: readonly Needle[], layer: string, findings: LeakFinding[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const inner = extract();
    const matcher = new ChunkMatcher(needles);
    inner.on('entry', (header, entry, next) => {
      matcher.reset();
      entry.on('data', (chunk: unknown) => matcher.feed(chunk as Buffer));
      entry.on('end', () => {
        for (const secret of matcher.found()) findings.push({ secret, where: 'layer', layer, path: header.name });
        next();
      });
      entry.on('error', reject);
      entry.resume();
    });
    inner.on('finish', resolve);
    inner.on('error', reject);
    stream.on('error', reject);
    stream.pipe(inner as unknown as NodeJS.WritableStream);
  });
}

function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

export class DockerImageScanner implements ImageScanner {
  constructor(private readonly images: ImageStore) {}

  async scan(ref: string, secrets: readonly { name: string; value: string }[]): Promise<LeakFinding[]> {
    const needles = secrets.filter((s) => s.value.length > 0);
    if (needles.length === 0) return [];
    const archive = await this.images.export(ref);
    const findings: LeakFinding[] = [];
    const jsons = new Map<string, Buffer>();
    await new Promise<void>((resolve, reject) => {
      const outer = extract();
      outer.on('entry', (header, stream, next) => {
        const name = header.name;
        if (/\/layer\.tar$/.test(name)) {
          const layer = name.replace(/\/layer\.tar$/, '').slice(0, 12);
          scanLayer(stream as unknown as NodeJS.ReadableStream, needles, layer, findings).then(() => next(), () => next());
        } else if (name.endsWith('.json') || name === 'manifest.json') {
          drain(stream as unknown as NodeJS.ReadableStream).then((buffer) => {
            jsons.set(name, buffer);
            next();
          }, next);
        } else {
          stream.on('end', () => next());
          stream.resume();
        }
      });
      outer.on('finish', resolve);
      outer.on('error', reject);
      archive.on('error', reject);
      archive.pipe(outer as unknown as NodeJS.WritableStream);
    });
    const manifest = JSON.parse(jsons.get('manifest.json')?.toString() ?? '[]') as { Config?: string; Layers?: string[] }[];
    const layers = (manifest[0]?.Layers ?? []).map((l) => l.replace(/\/layer\.tar$/, '').slice(0, 12));
    for (const finding of findings) {
      const index = layers.indexOf(finding.layer ?? '');
      if (index >= 0) finding.layer = `${index + 1}/${layers.length} (${finding.layer})`;
    }
    const configName = manifest[0]?.Config;
    const configText = configName ? jsons.get(configName) : undefined;
    if (configText) {
      const saved = JSON.parse(configText.toString()) as SavedConfig;
      findings.push(
        ...scanImageConfig(
          { env: saved.config?.Env, labels: saved.config?.Labels, history: saved.history, entrypoint: saved.config?.Entrypoint, cmd: saved.config?.Cmd },
          needles,
        ),
      );
    }
    return findings;
  }
}
