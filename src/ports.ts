/**
 * Ports: the narrow interfaces the engine talks to, in devpipe's own types. Adapters (docker/,
 * compose/, kube/, watch/) implement them; tests use recording fakes from test/fakes/.
 */

/** Something added to the build context beside the project directory. */
export type ContextEntry =
  /** A generated file (a builder script, a generated .dockerignore). */
  | { kind: 'file'; path: string; content: string; mode?: number }
  /**
   * A filtered view of a project path, placed at `path` in the context: `source` (relative to the
   * context directory) with `exclude` patterns (dockerignore syntax, `!` re-includes) applied on
   * top of .dockerignore. Implements Blubber's per-copy `exclude` without newer Dockerfile syntax.
   */
  | { kind: 'view'; path: string; source: string; exclude: readonly string[]; mirror?: boolean };
// With `mirror: true` a view keeps project paths: what matches `source` (a path or a glob such as
// `python/*.py`) is placed at `<path>/<its path in the project>`, so several mirrored views share
// one tree (compiled Blubber builds reach every local file through `.devpipe-context/local/…`).

export interface BuildRequest {
  /** Absolute path of the build context (the project directory). */
  contextDir: string;
  /** Dockerfile text; sent inside the context stream, never written into the project. */
  dockerfile: string;
  /** The stage to build (multi-stage Dockerfiles). */
  target?: string | undefined;
  buildArgs?: Readonly<Record<string, string>>;
  tags: readonly string[];
  labels?: Readonly<Record<string, string>>;
  /** Sees every chunk of the build context as it is streamed to the engine (the leak guard's context scan). */
  onContextChunk?: ((chunk: Uint8Array) => void) | undefined;
  /**
   * Patterns used *instead of* the project's .dockerignore (PipelineLib's `build.excludes`);
   * the file on disk is never touched.
   */
  ignorePatterns?: readonly string[] | undefined;
  /**
   * Send the project directory at the root of the context (default true). Compiled Blubber builds
   * set it to false and reach every local file through `view` entries, so generated entries
   * never end up in an image through `COPY . …`.
   */
  sendProject?: boolean;
  /** Entries added to the context stream (generated files, filtered views). */
  extraEntries?: readonly ContextEntry[];
  /** BuildKit (API version 2) instead of the classic builder; needed for RUN --mount. */
  buildkit?: boolean;
  noCache?: boolean;
  pull?: boolean;
  signal?: AbortSignal | undefined;
  /** Each line of build output, as it arrives. */
  onLog?: ((line: string) => void) | undefined;
}

export interface BuildResult {
  imageId: string;
  tags: string[];
}

export interface ImageInfo {
  id: string;
  tags: string[];
  labels: Record<string, string>;
  env: string[];
  user: string;
  workingDir: string;
  entrypoint: string[] | null;
  cmd: string[] | null;
  created: string;
  size: number;
  /** The rootfs diff IDs, bottom first (`inspect` only). */
  layers?: string[] | undefined;
}

export interface HistoryStep {
  image?: string | undefined;
  /** ISO time, to the second. */
  created?: string | undefined;
  createdBy: string;
  comment: string;
  /** Bytes the step added (0 for steps that add no layer, and for empty layers). */
  size?: number | undefined;
}

export interface ImageBuilder {
  build(request: BuildRequest): Promise<BuildResult>;
  /**
   * Content digest of what `build(request)` would send: names, modes and contents of the context
   * entries and the Dockerfile (not mtimes). Equal digests mean equal inputs.
   */
  contextDigest(request: BuildRequest): Promise<string>;
}

export interface ImageStore {
  inspect(ref: string): Promise<ImageInfo | undefined>;
  tag(ref: string, tag: string): Promise<void>;
  remove(ref: string, options?: { force?: boolean }): Promise<void>;
  /** Streams the image as `docker save` does (a tar of layers + config); `signal` aborts the request and the stream. */
  export(ref: string, signal?: AbortSignal): Promise<NodeJS.ReadableStream>;
  /**
   * The image's build history, oldest first (`docker history`), without exporting it: `image` is
   * the ID of a local image that ends at that step (the base image's top step has the base's ID).
   * Adapters that cannot answer omit it (the leak guard then reads the config from an export).
   */
  history?(ref: string): Promise<HistoryStep[]>;
  list(labels: Readonly<Record<string, string>>): Promise<ImageInfo[]>;
  /**
   * Whether the image's registry answers for it (a pull could work): `{ ok: false, reason }` when
   * the registry cannot be reached or does not know it. Adapters without a registry omit it.
   */
  pullable?(ref: string): Promise<{ ok: boolean; reason?: string | undefined }>;
}

export interface RunRequest {
  image: string;
  name?: string | undefined;
  command?: readonly string[] | undefined;
  entrypoint?: readonly string[] | undefined;
  env?: Readonly<Record<string, string>>;
  labels?: Readonly<Record<string, string>>;
  network?: string | undefined;
  /** host path → container path, read-only unless `rw`. */
  binds?: readonly { host: string; container: string; rw?: boolean }[];
  workingDir?: string | undefined;
  user?: string | undefined;
  /** container port → host port (0 = any free port). */
  ports?: Readonly<Record<number, number>>;
  signal?: AbortSignal | undefined;
  onOutput?: ((line: string, stream: 'stdout' | 'stderr') => void) | undefined;
}

export interface RunResult {
  containerId: string;
  exitCode: number;
  /** The last lines of combined output. */
  tail: string[];
}

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  state: string;
  status: string;
  labels: Record<string, string>;
}

export interface ContainerRunner {
  /** Creates, starts and waits for a container; output is streamed; the container is kept. */
  run(request: RunRequest): Promise<RunResult>;
  remove(containerId: string): Promise<void>;
  list(labels: Readonly<Record<string, string>>): Promise<ContainerInfo[]>;
  /** Streams a container's log (from its start) line by line until it ends or the signal aborts. */
  follow(containerId: string, options: { signal?: AbortSignal | undefined; onLine: (line: string, stream: 'stdout' | 'stderr') => void }): Promise<void>;
  /**
   * Calls `onChange` each time a container with these labels is created, starts, stops or changes
   * health, until the signal aborts; best effort (a wait that uses it still polls `list`, which
   * stays the only source of states). Optional: without it, waits only poll.
   */
  watchChanges?(labels: Readonly<Record<string, string>>, onChange: () => void, signal: AbortSignal): void;
}

/** Copies out of a container with `docker cp` semantics (PipelineLib's `copy` step). */
export interface ContainerCopier {
  /**
   * `source` in the container (a trailing `/.` copies a directory's contents) to the absolute host
   * path `destination`: a missing destination becomes the copy, an existing directory receives it.
   */
  copy(container: string, source: string, destination: string): Promise<void>;
}

/** Pushes a local tag to its registry. */
export interface ImagePusher {
  push(ref: string, signal?: AbortSignal): Promise<void>;
}

export interface EngineInfo {
  /** How the engine was found: `DOCKER_HOST=…` or `socket /var/run/docker.sock`. */
  foundVia: string;
  serverVersion: string;
  apiVersion: string;
  os: string;
  arch: string;
  buildkit: boolean;
}

export interface Engine {
  info(): Promise<EngineInfo>;
}

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs local programs (compose, kubectl, helm, git). */
export interface ProcessRunner {
  run(
    command: string,
    args: readonly string[],
    options?: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number; signal?: AbortSignal; onLine?: (line: string) => void },
  ): Promise<ProcessResult>;
  which(command: string): Promise<string | undefined>;
}

/** One layer of secret values (a user file, the environment, `--secrets FILE`). */
export interface SecretSource {
  /** Shown in messages: the file path, or `environment`. */
  readonly description: string;
  /** The values, or undefined when the source does not exist (e.g. no user file). */
  read(): Promise<Record<string, string> | undefined>;
}

/** Files devpipe writes under the project (`.devpipe/`): rendered stacks, fake secrets, reports. */
export interface ProjectFiles {
  /** Absolute path of the project directory. */
  readonly root: string;
  /**
   * Writes (creating directories, mode 0700 for them; files 0600 unless `mode`), returns the
   * absolute path. Content passes through the run's redaction unless `secret` (the secret files
   * themselves): reports and records never hold a secret value.
   */
  write(relative: string, content: string, options?: { mode?: number; secret?: boolean }): Promise<string>;
  read(relative: string): Promise<string | undefined>;
  remove(relative: string): Promise<void>;
}

/**
 * What a project file holds now, as a comparable string (a content hash; `missing` when it does
 * not exist); undefined when it cannot be read. The dev loop ignores events that change nothing.
 */
export interface FileFingerprints {
  of(relative: string): Promise<string | undefined>;
}

export * from './ports-scan.js';
export * from './ports-stack.js';
export * from './ports-dev.js';

/** An image's filesystem written to a host directory without running it (BuildKit's `--output type=local`). */
export interface ImageFiles {
  /** Returns the number of files written. */
  exportTo(image: string, destination: string, labels: Readonly<Record<string, string>>): Promise<number>;
}

/**
 * A directory devpipe only reads (a deployment-charts checkout, the project's checkout for the
 * staging import): text files and directory listings by relative path.
 */
export interface TextTree {
  /** Absolute path, for messages. */
  readonly root: string;
  /** The file's text, or undefined when it does not exist. */
  read(relative: string): Promise<string | undefined>;
  /** Entry names of a directory (files and directories), or undefined when it does not exist. */
  list(relative: string): Promise<string[] | undefined>;
}

/** The user's fake secrets outside the repository (`~/.config/devpipe/secrets/<project>.yaml`). */
export interface FakeSecretStore {
  readonly description: string;
  read(): Promise<Record<string, string>>;
  /** Adds values for names that have none yet (existing values are kept). */
  add(values: Readonly<Record<string, string>>): Promise<void>;
}
