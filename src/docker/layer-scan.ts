/**
 * One layer of a saved image, streamed once: its bytes are hashed (the blob digest as stored, and
 * the diff ID of the uncompressed tar), decompressed when gzip or zstd, and every entry's name,
 * link target, PAX records and content fed to one matcher (all values and their encodings in
 * one pass). Never holds a layer in memory, never
 * swallows an error: a layer that cannot be read is reported as such (the guard fails closed).
 */
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { extract } from 'tar-stream';
import { Automaton, MultiMatcher, type Needle } from '../engine/stack/multi-match.js';
import { sniff, type Compression } from '../engine/stack/saved-image.js';

export interface LayerResult {
  /** sha256 of the stored bytes (`sha256:<hex>`). */
  blobDigest: string;
  /** sha256 of the uncompressed tar (`sha256:<hex>`): the image's rootfs diff ID. */
  diffId: string;
  compression: Compression;
  /** Secrets found, with the path inside the layer and where (content, name, link target). */
  findings: { secret: string; path: string; in: 'content' | 'name' | 'link target' | 'metadata' }[];
}

/** zstd: Node's own decoder where it has one (22.15+), else fzstd (pure JS, streaming). */
async function zstdDecompressor(): Promise<Transform> {
  const native = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
  if (native) return native();
  const { Decompress } = await import('fzstd');
  let push: ((data: Uint8Array) => void) | undefined;
  const decoder = new Decompress((data) => push?.(data));
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      push = (data) => this.push(Buffer.from(data));
      try {
        decoder.push(chunk);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      push = (data) => this.push(Buffer.from(data));
      try {
        decoder.push(new Uint8Array(0), true);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

/**
 * Reads the first bytes of a stream without losing them; the whole stream follows in `stream`.
 * Works over tar-stream's entries (streamx) through async iteration.
 */
export async function peek(source: AsyncIterable<unknown>, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  const it = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < bytes) {
    const next = await it.next();
    if (next.done === true) {
      done = true;
      break;
    }
    const chunk = next.value as Buffer;
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const next = await it.next();
      if (next.done === true) return;
      yield next.value as Buffer;
    }
  }
  const stream = Readable.from(all(), { objectMode: false });
  // The consumer (scan, skip or drain) listens from the next tick on; an error after it finished
  // must not crash the process (the outer reader has already reported it).
  stream.on('error', () => undefined);
  return { head, stream };
}

function hasher(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

/** Scans one layer (stored bytes, any compression); rejects with the reason when it cannot be read. */
export async function scanLayer(source: Readable, needles: readonly Needle[] | Automaton, head?: Buffer): Promise<LayerResult> {
  let stream = source;
  let first = head;
  if (first === undefined) ({ head: first, stream } = await peek(source as AsyncIterable<unknown>, 512));
  const kind = sniff(first);
  if (kind === 'json' || kind === 'unknown') throw new Error(`not a tar, gzip or zstd layer (first bytes ${first.subarray(0, 8).toString('hex') || 'none'})`);
  const blobHash = createHash('sha256');
  const diffHash = createHash('sha256');
  const stages: (Transform | NodeJS.WritableStream)[] = [hasher(blobHash)];
  if (kind === 'gzip') stages.push(zlib.createGunzip());
  if (kind === 'zstd') stages.push(await zstdDecompressor());
  stages.push(hasher(diffHash));
  const findings: LayerResult['findings'] = [];
  const matcher = new MultiMatcher(needles instanceof Automaton ? needles : new Automaton(needles));
  const tar = extract();
  tar.on('entry', (header, entry, next) => {
    const note = (where: LayerResult['findings'][number]['in'], names: readonly string[]) => {
      for (const secret of names) findings.push({ secret, path: header.name, in: where });
    };
    note('name', matcher.search(header.name));
    if (header.linkname) note('link target', matcher.search(header.linkname));
    if (header.pax) note('metadata', matcher.search(Object.entries(header.pax).map(([k, v]) => `${k}=${v}`).join('\n')));
    matcher.reset();
    entry.on('data', (chunk: unknown) => matcher.feed(chunk as Buffer));
    entry.on('end', () => {
      note('content', matcher.found());
      next();
    });
    // A broken layer fails the pipeline below (reported); the entry's own error is the same one.
    entry.on('error', () => undefined);
    entry.resume();
  });
  stages.push(tar as unknown as NodeJS.WritableStream);
  await (pipeline as unknown as (streams: readonly unknown[]) => Promise<void>)([stream, ...stages]);
  return { blobDigest: `sha256:${blobHash.digest('hex')}`, diffId: `sha256:${diffHash.digest('hex')}`, compression: kind, findings };
}
