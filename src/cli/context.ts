/**
 * The composition root: the one place that decides which adapters run. It detects the engine,
 * builds adapters lazily (so `--help` and `render` never load dockerode) and hands them down.
 */
import path from 'node:path';
import { EventBus } from '../engine/events.js';
import { Redactor } from '../engine/stack/redact.js';
import type { ContainerCopier, ContainerReplacer, ContainerRunner, ContainerSyncer, Engine, ImageBuilder, ImageFiles, ImagePusher, ImageStore, PodImages, ProcessRunner, StackResources, Watcher } from '../ports.js';
import type { OutputStreams, Reporter } from '../ui/reporter.js';
import type { HostTrust } from '../engine/trust.js';
import type { UserSettings } from '../spec/settings/index.js';
import type { StackOverrides, Workspace } from '../engine/project/workspace.js';
import type { DeployTarget, TargetName } from '../engine/targets/types.js';
import type { StackConfig } from '../spec/stack/index.js';

export type { TargetName };

export interface GlobalOptions {
  dir?: string | undefined;
  json: boolean;
  verbose: boolean;
  color: boolean;
  profile?: string | undefined;
  target?: TargetName | undefined;
  /** `--allow-context NAME`: use this kube context for the kube target (opt-in for non-minikube contexts). */
  allowContext?: string | undefined;
  /** `--ca-file FILE`: a CA bundle every build step and devpipe's own containers trust. */
  caFile?: string | undefined;
}

export interface DockerAdapters {
  foundVia: string;
  engine: Engine;
  builder: ImageBuilder;
  images: ImageStore;
  containers: ContainerRunner;
  copier: ContainerCopier;
  pusher: ImagePusher;
  syncer: ContainerSyncer;
  replacer: ContainerReplacer;
  pods: PodImages;
  imageFiles: ImageFiles;
  resources: StackResources;
}

export class Context {
  /**
   * The one redaction point: every secret value resolved in this run is registered here
   * (`redactor.add`), and every event (so every reporter: TTY, plain, --json), every result line
   * (`print`), every saved report and record (`redact`) and the final error pass through it.
   */
  readonly redactor = new Redactor();
  readonly bus = new EventBus((type, payload) => this.redactor.event(type, payload));
  readonly projectDir: string;
  #reporter: Reporter | undefined;
  #docker: Promise<DockerAdapters> | undefined;
  #process: Promise<ProcessRunner> | undefined;

  constructor(
    readonly options: GlobalOptions,
    readonly env: NodeJS.ProcessEnv,
    readonly streams: OutputStreams,
    cwd: string,
  ) {
    this.projectDir = path.resolve(cwd, options.dir ?? '.');
  }

  /** Attaches the reporter chosen for this run (listr2 / plain / NDJSON). */
  async reporter(view: 'tasks' | 'dev' = 'tasks'): Promise<Reporter> {
    if (!this.#reporter) {
      const { selectReporter } = await import('../ui/reporter.js');
      this.#reporter = await selectReporter({
        json: this.options.json,
        verbose: this.options.verbose,
        color: this.options.color && this.env.NO_COLOR === undefined,
        env: this.env,
        streams: this.streams,
      }, view);
      this.#reporter.attach(this.bus);
    }
    return this.#reporter;
  }

  async finish(): Promise<void> {
    await this.#reporter?.finish();
  }

  docker(): Promise<DockerAdapters> {
    this.#docker ??= this.#dockerFor(this.env);
    return this.#docker;
  }

  /** Every Docker adapter over one engine connection, found from `env` (DOCKER_HOST, …). */
  async #dockerFor(env: NodeJS.ProcessEnv, via?: (foundVia: string) => string): Promise<DockerAdapters> {
    const [{ findEngine, connect }, { DockerEngine }, { DockerImageBuilder, builderChoice }, { DockerImageStore }, { DockerContainerRunner }, { DockerContainerCopier }, { DockerImagePusher }, { DockerContainerSyncer }, { DockerContainerReplacer }, { DockerNetworkAnchor }, { DockerImageFiles }] =
      await Promise.all([
        import('../docker/connect.js'),
        import('../docker/engine.js'),
        import('../docker/image-builder.js'),
        import('../docker/images.js'),
        import('../docker/containers.js'),
        import('../docker/container-copy.js'),
        import('../docker/image-pusher.js'),
        import('../docker/container-sync.js'),
        import('../docker/container-replace.js'),
        import('../docker/network-anchor.js'),
        import('../docker/image-files.js'),
      ]);
    const { TrustingImageBuilder, TrustingContainerRunner } = await import('../engine/trust.js');
    const trust = () => this.hostTrust();
    const { DockerStackResources } = await import('../docker/resources.js');
    const endpoint = findEngine(env);
    const docker = connect(endpoint);
    const anchor = new DockerNetworkAnchor(docker);
    return {
      foundVia: via ? via(endpoint.foundVia) : endpoint.foundVia,
      engine: new DockerEngine(docker, endpoint),
      builder: new TrustingImageBuilder(new DockerImageBuilder(docker, builderChoice(env.DEVPIPE_BUILDER)), trust),
      images: new DockerImageStore(docker),
      containers: new TrustingContainerRunner(new DockerContainerRunner(docker), trust),
      copier: new DockerContainerCopier(docker),
      pusher: new DockerImagePusher(docker),
      syncer: new DockerContainerSyncer(docker),
      replacer: new DockerContainerReplacer(docker, anchor),
      pods: anchor,
      imageFiles: new DockerImageFiles(docker),
      resources: new DockerStackResources(docker),
    };
  }

  #settings: Promise<UserSettings> | undefined;

  /** The user's settings file (`~/.config/devpipe/settings.yaml`); defaults when there is none. */
  settings(): Promise<UserSettings> {
    this.#settings ??= import('../host/trust.js').then(({ readUserSettings }) => readUserSettings(this.env));
    return this.#settings;
  }

  #trust: Promise<HostTrust> | undefined;

  /** What builds and devpipe's own containers trust (CA bundle, proxies, package indexes); said once. */
  hostTrust(options: { quiet?: boolean } = {}): Promise<HostTrust> {
    this.#trust ??= (async () => {
      const [{ resolveHostTrust }, settings] = await Promise.all([import('../host/trust.js'), this.settings()]);
      const trust = await resolveHostTrust({ env: this.env, settings, caFile: this.options.caFile, cwd: process.cwd() });
      const proxies = Object.keys(trust.proxies);
      const parts = [trust.source ? `the CA bundle of ${trust.source}` : '', proxies.length > 0 ? `proxies (${proxies.join(', ')})` : '', Object.keys(trust.indexes).length > 0 ? `package indexes (${Object.keys(trust.indexes).join(', ')})` : ''].filter(Boolean);
      if (parts.length > 0 && !options.quiet) this.bus.emit('message', { level: 'info', text: `builds and devpipe's containers use ${parts.join(', ')}; mounted per step, never in an image (DEVPIPE_HOST_TRUST=off to stop)` });
      return trust;
    })();
    return this.#trust;
  }

  process(): Promise<ProcessRunner> {
    this.#process ??= import('../process/execa-runner.js').then(({ ExecaProcessRunner }) => new ExecaProcessRunner());
    return this.#process;
  }

  /** The file watcher: native directory watches; `DEVPIPE_WATCHER=chokidar|poll` for chokidar. */
  async watcher(): Promise<Watcher> {
    const choice = this.env.DEVPIPE_WATCHER;
    if (choice === 'chokidar' || choice === 'poll') {
      const { ChokidarWatcher } = await import('../watch/chokidar-watcher.js');
      return new ChokidarWatcher(choice === 'poll');
    }
    const { FsWatcher } = await import('../watch/fs-watcher.js');
    return new FsWatcher();
  }

  /** What project files hold now, as content hashes (the dev loop drops saves that change nothing). */
  async fingerprints(): Promise<import('../ports.js').FileFingerprints> {
    const { NodeFileFingerprints } = await import('../fs/fingerprints.js');
    return new NodeFileFingerprints(this.projectDir);
  }

  /** Writes a result line to stdout (human mode only; --json carries results as events). */
  print(text = ''): void {
    if (!this.options.json) this.streams.out.write(`${this.redactor.text(text)}\n`);
  }

  /** Writes foreign text (log lines, suite output) to stdout or stderr, every secret value redacted. */
  write(stream: 'out' | 'err', text: string): void {
    this.streams[stream].write(this.redactor.text(text));
  }

  #compose: Promise<import('../ports.js').StackDeployer> | undefined;

  /** The Compose adapter: v2 when present, v1 otherwise, MissingCompose (exit 3 with the fix) when neither runs. */
  compose(): Promise<import('../ports.js').StackDeployer> {
    this.#compose ??= (async () => {
      const { detectCompose, ComposeDeployer, MissingCompose } = await import('../compose/compose.js');
      const proc = await this.process();
      const env = Object.fromEntries(Object.entries(this.env).filter((e): e is [string, string] => e[1] !== undefined));
      const flavour = await detectCompose(proc, env);
      return flavour ? new ComposeDeployer(proc, flavour, env) : new MissingCompose();
    })();
    return this.#compose;
  }

  /** Files devpipe writes under the project (`.devpipe/`). */
  async projectFiles(): Promise<import('../ports.js').ProjectFiles> {
    const { NodeProjectFiles } = await import('../fs/project-files.js');
    return new NodeProjectFiles(this.projectDir, (text) => this.redactor.text(text));
  }

  /** The leak guard's image scanner (reads `docker save` output). */
  async imageScanner(): Promise<import('../ports.js').ImageScanner> {
    const [{ DockerImageScanner }, docker] = await Promise.all([import('../docker/image-scan.js'), this.docker()]);
    return new DockerImageScanner(docker.images);
  }

  #kube: Promise<import('../kube/adapters.js').KubeAdapters> | undefined;

  /** The kube adapters (kubectl/helm pinned per target, minikube per profile); Missing* (exit 3 with the fix) for absent tools. */
  kube(): Promise<import('../kube/adapters.js').KubeAdapters> {
    this.#kube ??= (async () => {
      const { createKubeAdapters } = await import('../kube/adapters.js');
      const env = Object.fromEntries(Object.entries(this.env).filter((e): e is [string, string] => e[1] !== undefined));
      return createKubeAdapters(await this.process(), env);
    })();
    return this.#kube;
  }

  /** Docker adapters on minikube's own daemon (`minikube docker-env` output applied over this env). */
  async dockerAt(overrides: Record<string, string>): Promise<DockerAdapters & { scanner: import('../ports.js').ImageScanner }> {
    const [adapters, { DockerImageScanner }] = await Promise.all([
      this.#dockerFor({ ...this.env, ...overrides }, (foundVia) => `minikube docker-env (${foundVia})`),
      import('../docker/image-scan.js'),
    ]);
    return { ...adapters, scanner: new DockerImageScanner(adapters.images) };
  }

  #workspace: Promise<Workspace> | undefined;
  /** `--blubber`/`--variant`/`--port` of `up`/`dev`, set by the command before the project loads. */
  overrides: StackOverrides = {};

  /** The project as the engine reads it (files, settings, profiles, secrets files, lock). */
  workspace(): Promise<Workspace> {
    this.#workspace ??= import('./adapters.js').then(({ workspaceOf }) => workspaceOf(this));
    return this.#workspace;
  }

  /**
   * Runs `fn` holding the project lock (`.devpipe/lock`, or `file`): `up`, `down`, `dev`'s start
   * and `e2e --up` never race each other on one project. `DEVPIPE_LOCK_WAIT` seconds (default 120).
   */
  async withLock<T>(command: string, signal: AbortSignal | undefined, fn: () => Promise<T>, file?: string): Promise<T> {
    const { acquireProjectLock } = await import('../fs/project-lock.js');
    const seconds = Number(this.env.DEVPIPE_LOCK_WAIT ?? '120');
    const lock = await acquireProjectLock(this.projectDir, {
      command,
      ...(file ? { file } : {}),
      waitMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 120_000,
      signal,
      onNotice: (text) => this.bus.emit('message', { level: 'warn', text }),
    });
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /** Where the stack runs: `--target`, else the profile's / devpipe.yaml's `settings.target`. */
  targetName(config: Pick<StackConfig, 'settings'> | undefined): TargetName {
    return this.options.target ?? config?.settings.target ?? 'compose';
  }

  /** The deploy target, chosen once (cli/adapters.ts): the only place that asks which target this run uses. */
  async target(config: Pick<StackConfig, 'settings'> | undefined): Promise<DeployTarget> {
    return (await import('./adapters.js')).deployTarget(this, this.targetName(config));
  }

  /** The revision of the project's checkout (`<commit>[+dirty]`, or `none`). */
  async revision(): Promise<string> {
    const { sourceRevision } = await import('../engine/project/revision.js');
    return sourceRevision(await this.process(), this.projectDir);
  }

  /** What a local ci run needs from this machine (cli/adapters.ts). */
  async ciHost(): Promise<import('../engine/ci/host.js').CiHost> {
    return (await import('./adapters.js')).ciHost(this);
  }

  /** What `doctor` asks this machine. */
  async doctorHost(): Promise<import('../engine/doctor-facts.js').DoctorHost> {
    return (await import('./adapters.js')).doctorHost(this);
  }

  /** What `import-staging` reads and writes. */
  async stagingHost(): Promise<import('../engine/staging/local.js').StagingHost> {
    return (await import('./adapters.js')).stagingHost(this);
  }
}
