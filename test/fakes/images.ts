/** Recording fakes of the image ports, for engine tests. */
import type { BuildRequest, BuildResult, ImageBuilder, ImageInfo, ImageStore } from '../../src/ports.js';
import { requestLabels } from './labels.js';

export class FakeImageStore implements ImageStore {
  readonly images = new Map<string, ImageInfo>();
  readonly tagged: [string, string][] = [];
  readonly removed: string[] = [];

  add(ref: string, info: Partial<ImageInfo> = {}): ImageInfo {
    const image: ImageInfo = { id: `sha256:${ref.length.toString(16).padStart(64, '0')}`, tags: [ref], labels: {}, env: [], user: '', workingDir: '', entrypoint: null, cmd: null, created: '', size: 0, ...info };
    this.images.set(ref, image);
    this.images.set(image.id, image);
    return image;
  }

  async inspect(ref: string): Promise<ImageInfo | undefined> {
    return this.images.get(ref);
  }

  async tag(ref: string, tag: string): Promise<void> {
    this.tagged.push([ref, tag]);
    const image = this.images.get(ref);
    if (image) this.images.set(tag, image);
  }

  async remove(ref: string): Promise<void> {
    this.removed.push(ref);
    this.images.delete(ref);
  }

  async export(): Promise<NodeJS.ReadableStream> {
    throw new Error('not supported by the fake');
  }

  async list(labels: Readonly<Record<string, string>>): Promise<ImageInfo[]> {
    return [...new Set(this.images.values())].filter((i) => Object.entries(labels).every(([k, v]) => i.labels[k] === v));
  }
}

/** Builds by recording the request and registering the image in the fake store. */
export class FakeImageBuilder implements ImageBuilder {
  readonly builds: BuildRequest[] = [];
  failNext: string | undefined;
  digest = 'digest-1';

  constructor(private readonly store: FakeImageStore) {}

  async contextDigest(): Promise<string> {
    return this.digest;
  }

  async build(given: BuildRequest): Promise<BuildResult> {
    // Labels reach the image through the API or a final LABEL line, as on the engine.
    const request: BuildRequest = { ...given, labels: requestLabels(given) };
    this.builds.push(request);
    if (this.failNext) {
      const message = this.failNext;
      this.failNext = undefined;
      throw new Error(message);
    }
    const id = `sha256:${String(this.builds.length).padStart(64, 'b')}`;
    const info: ImageInfo = { id, tags: [...request.tags], labels: { ...request.labels }, env: [], user: '', workingDir: '', entrypoint: null, cmd: null, created: '', size: 0 };
    for (const tag of request.tags) this.store.images.set(tag, info);
    this.store.images.set(id, info);
    return { imageId: id, tags: [...request.tags] };
  }
}
