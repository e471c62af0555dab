/**
 * Recording fakes of every port `devpipe ci`'s runner uses. Built images get deterministic IDs;
 * a container's behaviour (exit code, output lines) is scripted per Blubber variant; every call is
 * recorded as a line in `calls` so tests can assert order.
 */
import { requestLabels } from '../labels.js';
import { createHash } from 'node:crypto';
import type { CiPorts, ContainerCopier, ImagePusher, RepoFiles, RunRecord, RunRecords, CredentialSource } from '../../../src/engine/ci/index.js';
import type { BuildRequest, BuildResult, ContainerInfo, ContainerRunner, ImageBuilder, ImageInfo, ImageStore, RunRequest, RunResult } from '../../../src/ports.js';

export interface Behaviour {
  exitCode?: number;
  lines?: string[];
  /** Resolves when the test lets the container finish. */
  gate?: Promise<void>;
}

function info(id: string, tags: string[], labels: Record<string, string>): ImageInfo {
  return { id, tags, labels, env: [], user: '', workingDir: '', entrypoint: null, cmd: null, created: '', size: 0 };
}

export class FakeWorld {
  readonly calls: string[] = [];
  /** image id → info */
  readonly images = new Map<string, ImageInfo>();
  /** image id → variant */
  readonly variants = new Map<string, string>();
  readonly containers = new Map<string, { image: string; labels: Record<string, string>; env: Record<string, string>; command: readonly string[] }>();
  readonly behaviours: Record<string, Behaviour> = {};
  readonly files: Record<string, string> = {};
  readonly secrets: Record<string, string> = {};
  readonly records = new Map<string, RunRecord>();
  readonly copies: { container: string; source: string; destination: string }[] = [];
  readonly buildRequests: BuildRequest[] = [];
  private counter = 0;

  find(ref: string): ImageInfo | undefined {
    const id = ref.startsWith('sha256:') ? ref : undefined;
    if (id) return this.images.get(id);
    const tag = ref.includes(':', ref.lastIndexOf('/') + 1) ? ref : `${ref}:latest`;
    return [...this.images.values()].find((i) => i.tags.includes(tag));
  }

  readonly builder: ImageBuilder = {
    build: async (request: BuildRequest): Promise<BuildResult> => {
      const id = `sha256:${createHash('sha256').update(`${request.target}${this.counter++}`).digest('hex')}`;
      this.calls.push(`build ${request.target}`);
      this.buildRequests.push({ ...request, labels: requestLabels(request) });
      this.images.set(id, info(id, [...request.tags], requestLabels(request)));
      this.variants.set(id, request.target ?? '');
      return { imageId: id, tags: [...request.tags] };
    },
    contextDigest: async (request: BuildRequest) => `digest-${request.target}-${request.contextDir}-${(request.ignorePatterns ?? []).join(',')}`,
  };

  readonly imageStore: ImageStore = {
    inspect: async (ref) => this.find(ref),
    tag: async (ref, tag) => {
      const image = this.find(ref);
      if (!image) throw new Error(`no such image ${ref}`);
      const full = tag.includes(':', tag.lastIndexOf('/') + 1) ? tag : `${tag}:latest`;
      for (const other of this.images.values()) other.tags = other.tags.filter((t) => t !== full);
      image.tags.push(full);
      this.calls.push(`tag ${full}`);
    },
    remove: async (ref) => {
      this.calls.push(`rmi ${ref.startsWith('sha256:') ? ref.slice(7, 19) : ref}`);
      if (ref.startsWith('sha256:')) {
        this.images.delete(ref);
        return;
      }
      const image = this.find(ref);
      if (image) image.tags = image.tags.filter((t) => t !== ref);
    },
    export: async () => {
      throw new Error('not faked');
    },
    list: async (labels) => [...this.images.values()].filter((i) => Object.entries(labels).every(([k, v]) => i.labels[k] === v)),
  };

  readonly containerRunner: ContainerRunner = {
    run: async (request: RunRequest): Promise<RunResult> => {
      const variant = this.variants.get(request.image) ?? '?';
      this.calls.push(`run ${variant}${request.command ? ` ${request.command.join(' ')}` : ''}`);
      const name = request.name ?? `c${this.counter++}`;
      this.containers.set(name, { image: request.image, labels: { ...request.labels }, env: { ...request.env }, command: request.command ?? [] });
      const behaviour = this.behaviours[variant] ?? {};
      if (behaviour.gate) {
        await Promise.race([
          behaviour.gate,
          new Promise((_, reject) => request.signal?.addEventListener('abort', () => reject(Object.assign(new Error('stopped'), { name: 'AbortError' })))),
        ]);
      }
      for (const line of behaviour.lines ?? []) request.onOutput?.(line, 'stdout');
      this.calls.push(`exit ${variant} ${behaviour.exitCode ?? 0}`);
      return { containerId: name, exitCode: behaviour.exitCode ?? 0, tail: behaviour.lines ?? [] };
    },
    follow: async () => undefined,
    remove: async (id) => {
      this.calls.push(`rm ${id}`);
      this.containers.delete(id);
    },
    list: async (labels): Promise<ContainerInfo[]> =>
      [...this.containers.entries()]
        .filter(([, c]) => Object.entries(labels).every(([k, v]) => c.labels[k] === v))
        .map(([name, c]) => ({ id: name, name, image: c.image, state: 'exited', status: '', labels: c.labels })),
  };

  readonly copier: ContainerCopier = {
    copy: async (container, source, destination) => {
      this.calls.push(`copy ${source}`);
      this.copies.push({ container, source, destination });
    },
  };

  readonly pushed: string[] = [];
  readonly pusher: ImagePusher = { push: async (ref) => void this.pushed.push(ref) };

  readonly secretSource: CredentialSource = {
    get: async (id) => this.secrets[id],
    describe: () => 'fake secrets',
  };

  readonly runRecords: RunRecords = {
    write: async (record) => void this.records.set(record.runId, structuredClone(record)),
    read: async (runId) => (runId ? this.records.get(runId) : [...this.records.values()].at(-1)),
    location: (runId) => `/fake/.devpipe/runs/${runId ?? ''}`,
  };

  readonly projectFiles: RepoFiles = { read: async (p) => this.files[p] };

  ports(withPusher = false): CiPorts {
    return {
      builder: this.builder,
      images: this.imageStore,
      containers: this.containerRunner,
      copier: this.copier,
      secrets: this.secretSource,
      records: this.runRecords,
      files: this.projectFiles,
      pusher: withPusher ? this.pusher : undefined,
    };
  }
}
