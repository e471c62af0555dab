/** DockerImageStore: inspect, tag, remove, export and list images through the Engine API. */
import type Docker from 'dockerode';
import type { HistoryStep, ImageInfo, ImageStore } from '../ports.js';
import { splitRef } from './image-builder.js';
import { DevpipeError } from '../errors.js';
import { dockerError } from './problems.js';

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

export class DockerImageStore implements ImageStore {
  constructor(private readonly docker: Docker) {}

  async inspect(ref: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.docker.getImage(ref).inspect();
      return {
        id: info.Id,
        tags: info.RepoTags ?? [],
        labels: info.Config?.Labels ?? {},
        env: info.Config?.Env ?? [],
        user: info.Config?.User ?? '',
        workingDir: info.Config?.WorkingDir ?? '',
        entrypoint: toList(info.Config?.Entrypoint),
        cmd: toList(info.Config?.Cmd),
        created: info.Created,
        size: info.Size,
        layers: info.RootFS?.Layers ?? undefined,
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw dockerError(error, `inspecting image ${ref}`);
    }
  }

  async tag(ref: string, tag: string): Promise<void> {
    const { repo, tag: version } = splitRef(tag);
    try {
      await this.docker.getImage(ref).tag({ repo, tag: version });
    } catch (error) {
      throw dockerError(error, `tagging ${ref} as ${tag}`);
    }
  }

  async remove(ref: string, options: { force?: boolean } = {}): Promise<void> {
    try {
      await this.docker.getImage(ref).remove({ force: options.force ?? false, noprune: false });
    } catch (error) {
      if (isNotFound(error)) return;
      throw dockerError(error, `removing image ${ref}`);
    }
  }

  async export(ref: string, signal?: AbortSignal): Promise<NodeJS.ReadableStream> {
    try {
      if (!signal) return await this.docker.getImage(ref).get();
      // Image#get takes no options: the same request, with the modem's abort signal.
      return await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
        this.docker.modem.dial({ path: `/images/${ref}/get`, method: 'GET', isStream: true, abortSignal: signal, statusCodes: { 200: true, 500: 'server error' } } as never, (error: unknown, data: unknown) =>
          error ? reject(error as Error) : resolve(data as NodeJS.ReadableStream),
        );
      });
    } catch (error) {
      if (signal?.aborted) throw new DevpipeError('interrupted', `exporting image ${ref} was cancelled`);
      throw dockerError(error, `exporting image ${ref}`);
    }
  }

  async history(ref: string): Promise<HistoryStep[]> {
    try {
      const steps = (await this.docker.getImage(ref).history()) as { Id?: string; Created?: number; CreatedBy?: string; Comment?: string; Size?: number }[];
      // The API lists the newest step first.
      return steps.reverse().map((step) => ({
        image: step.Id && step.Id !== '<missing>' ? step.Id : undefined,
        created: typeof step.Created === 'number' ? new Date(step.Created * 1000).toISOString() : undefined,
        createdBy: step.CreatedBy ?? '',
        comment: step.Comment ?? '',
        size: typeof step.Size === 'number' ? step.Size : undefined,
      }));
    } catch (error) {
      throw dockerError(error, `reading the history of image ${ref}`);
    }
  }

  /** Asks the registry for the image's manifest (the engine's distribution endpoint), at most 10 s. */
  async pullable(ref: string): Promise<{ ok: boolean; reason?: string | undefined }> {
    const image = this.docker.getImage(ref) as unknown as { distribution(options?: object): Promise<unknown> };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([image.distribution({}), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer in 10 s')), 10_000)))]);
      return { ok: true };
    } catch (error) {
      const message = ((error as { json?: { message?: string } }).json?.message ?? (error as Error).message).replace(/^\(HTTP code \d+\) [a-z ]+- /, '');
      return { ok: false, reason: message.split('\n')[0] };
    } finally {
      clearTimeout(timer);
    }
  }

  async list(labels: Readonly<Record<string, string>>): Promise<ImageInfo[]> {
    try {
      const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
      const images = await this.docker.listImages({ filters: JSON.stringify(filters) });
      return images.map((image) => ({
        id: image.Id,
        tags: image.RepoTags?.filter((t) => t !== '<none>:<none>') ?? [],
        labels: image.Labels ?? {},
        env: [],
        user: '',
        workingDir: '',
        entrypoint: null,
        cmd: null,
        created: new Date(image.Created * 1000).toISOString(),
        size: image.Size,
      }));
    } catch (error) {
      throw dockerError(error, 'listing images');
    }
  }
}

function toList(value: string | string[] | undefined | null): string[] | null {
  if (value === undefined || value === null) return null;
  return Array.isArray(value) ? value : [value];
}
