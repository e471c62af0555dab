/** Recording fakes of ImageBuilder and ImageStore (no engine). */
import type { BuildRequest, BuildResult, ImageBuilder, ImageInfo, ImageStore } from '../../src/ports.js';

export class FakeBuilder implements ImageBuilder {
  readonly builds: BuildRequest[] = [];
  /** Digest the real context files (as the engine adapter does), so a content change gives a new tag. */
  realDigest = false;
  constructor(private readonly store: FakeImages) {}

  async build(request: BuildRequest): Promise<BuildResult> {
    this.builds.push(request);
    const imageId = `sha256:${String(this.builds.length).padStart(64, '0')}`;
    for (const tag of request.tags) this.store.images.set(tag, { id: imageId, labels: { ...request.labels } });
    return { imageId, tags: [...request.tags] };
  }

  async contextDigest(request: BuildRequest): Promise<string> {
    if (!this.realDigest) return `digest-${request.target ?? ''}`;
    const { hashContext } = await import('../../src/docker/build-context.js');
    const plan = { contextDir: request.contextDir, patterns: [...(request.ignorePatterns ?? [])], extraEntries: request.extraEntries ?? [], dockerfile: request.dockerfile, sendProject: request.sendProject ?? true };
    return (await hashContext(plan)).digest;
  }
}

export class FakeImages implements ImageStore {
  readonly images = new Map<string, { id: string; labels: Record<string, string> }>();

  async inspect(ref: string): Promise<ImageInfo | undefined> {
    const image = this.images.get(ref);
    if (!image) return undefined;
    return { id: image.id, tags: [ref], labels: image.labels, env: [], user: '', workingDir: '', entrypoint: null, cmd: null, created: '', size: 0 };
  }

  async tag(ref: string, tag: string): Promise<void> {
    const image = [...this.images.values()].find((i) => i.id === ref) ?? this.images.get(ref);
    if (image) this.images.set(tag, image);
  }

  async remove(): Promise<void> {}

  async export(): Promise<NodeJS.ReadableStream> {
    throw new Error('not in the fake');
  }

  async list(): Promise<ImageInfo[]> {
    return [];
  }
}
