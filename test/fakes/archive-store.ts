/** An ImageStore over crafted `docker save` archives (our own port; the engine itself is tested in integration). */
import { PassThrough, Readable } from 'node:stream';
import type { HistoryStep, ImageInfo, ImageStore } from '../../src/ports.js';
import type { Crafted } from '../helpers/saved-image.js';

export class ArchiveStore implements ImageStore {
  readonly images = new Map<string, { crafted: Crafted; base?: string | undefined; env?: string[] | undefined; history?: HistoryStep[] | undefined }>();
  exports = 0;
  histories = 0;
  broken: number | undefined;

  add(ref: string, crafted: Crafted, base?: string, config: { env?: string[]; history?: HistoryStep[] } = {}): void {
    this.images.set(ref, { crafted, base, ...config });
  }

  async history(ref: string): Promise<HistoryStep[]> {
    this.histories++;
    return this.images.get(ref)?.history ?? [];
  }

  async inspect(ref: string): Promise<ImageInfo | undefined> {
    const image = this.images.get(ref);
    if (!image) return undefined;
    return { id: ref, tags: [ref], labels: image.base ? { 'devpipe.bases': image.base } : {}, env: image.env ?? [], user: '', workingDir: '', entrypoint: null, cmd: null, created: '2020-01-01T00:00:00Z', size: 0, layers: image.crafted.diffIds };
  }

  async tag(): Promise<void> {}
  async remove(): Promise<void> {}
  async list(): Promise<ImageInfo[]> {
    return [];
  }

  async export(ref: string): Promise<NodeJS.ReadableStream> {
    this.exports++;
    const bytes = this.images.get(ref)!.crafted.archive;
    if (this.broken === undefined) return Readable.from([bytes]);
    // The engine goes away mid-stream: some bytes, then a socket error.
    const stream = new PassThrough();
    stream.write(bytes.subarray(0, this.broken));
    setTimeout(() => stream.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), 10);
    return stream;
  }
}

