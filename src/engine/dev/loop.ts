/**
 * The dev loop: watcher → change set → debounced trigger → one iteration (build → deploy → test),
 * and a failed iteration never ends the loop. Builds made stale by a newer change are cancelled;
 * a service is redeployed only when its image really changed (content-addressed tags), without
 * waiting for stop timeouts; a build or health failure keeps the last good version running.
 * Talks to ports only.
 */
import { DevpipeError, toDevpipeError } from '../../errors.js';
import type { ContainerReplacer, ContainerSyncer, FileFingerprints, StackTarget, Watcher, WatchHandle } from '../../ports.js';
import type { DevServiceView, EventBus } from '../events.js';
import { LABEL_PROJECT, LABEL_SERVICE, stackModel, type StackModel } from '../stack/model.js';
import { buildStackImages, upStack, type StackPorts } from '../stack/up.js';
import { BuiltContent } from './built-content.js';
import { addChanges, describeFiles, emptyChangeSet, isEmpty, isNoise } from './changes.js';
import { Debouncer, defaultDebounce, type DebounceSettings } from './debounce.js';
import type { PatternMatcher } from './inputs.js';
import { LoopGuard } from './loop-guard.js';
import { inputTargets, servicesOf, suiteKey, type DevPlan } from './plan.js';
import { Iteration, type IterationContext } from './iteration.js';

export interface DevPorts extends StackPorts {
  watcher: Watcher;
  fingerprints: FileFingerprints;
  syncer: ContainerSyncer;
  replacer: ContainerReplacer;
}

export interface DevOptions {
  /** Reloads the plan after a spec file changed (throws a SpecError when it is broken). */
  reload: () => Promise<DevPlan>;
  matcher: PatternMatcher;
  tests: boolean;
  e2eAfterDeploy: boolean;
  sync: boolean;
  /** Restart every synced service (true), none (false), or as each declares (`sync.restart`, default). */
  restartAfterSync?: boolean | undefined;
  debounce?: DebounceSettings;
  /** Streams service logs as `dev:log` events. */
  logs: boolean;
}

export class DevLoop implements IterationContext {
  plan: DevPlan;
  model!: StackModel;
  target!: StackTarget;
  /** Build key → the content tag deployed now (the last good version). */
  readonly deployed = new Map<string, string>();
  readonly views = new Map<string, DevServiceView>();
  readonly guard = new LoopGuard();
  #pending = new Map<string, number>();
  /** When the watcher last reported a change (the loop guard tells a person saving from a loop by it). */
  #lastEventAt = 0;
  #holdTimer: NodeJS.Timeout | undefined;
  #debouncer: Debouncer;
  #running: { iteration: Iteration; done: Promise<void> } | undefined;
  readonly #content: BuiltContent;
  #dispatching = false;
  #dispatchAgain = false;
  #n = 0;
  #handle: WatchHandle | undefined;
  #logFollowers = new Map<string, AbortController>();
  #stopped = false;
  /** True until start() is over: changes seen meanwhile wait in #pending. */
  #starting = false;

  constructor(
    readonly ports: DevPorts,
    readonly bus: EventBus,
    initial: DevPlan,
    readonly options: DevOptions,
    readonly signal: AbortSignal,
  ) {
    this.plan = initial;
    this.#debouncer = new Debouncer(() => this.#fire(), options.debounce ?? defaultDebounce);
    this.#content = new BuiltContent(ports.fingerprints);
  }

  setView(service: string, patch: Partial<DevServiceView>): void {
    const view: DevServiceView = { service, image: '', state: 'starting', health: 'none', ...this.views.get(service), ...patch };
    this.views.set(service, view);
    this.bus.emit('dev:service', view);
  }

  /**
   * Starts watching, brings the stack up and runs the tests once. Watching starts first, so an
   * edit saved while the first build or the first tests run is not lost: its iteration runs as
   * soon as the start is over (an unchanged content builds nothing: the tags are content-addressed).
   */
  async start(): Promise<void> {
    const { plan } = this;
    this.#starting = true;
    this.#watch();
    for (const service of plan.config.services) this.setView(service.name, { state: service.image.kind === 'pinned' ? 'pinned' : 'building', image: service.image.kind === 'pinned' ? service.image.ref : '' });
    const summary = await upStack(this.ports, this.bus, { config: plan.config, builds: plan.builds, secrets: plan.secrets, revision: plan.revision, signal: this.signal });
    this.model = summary.model;
    this.target = summary.target;
    for (const build of plan.builds) {
      const service = this.model.services.find((s) => servicesOf(plan, build.key).includes(s.name));
      const ref = build.key === suiteKey(plan) ? this.model.suite?.imageRef : service?.imageRef;
      if (ref) this.deployed.set(build.key, ref);
    }
    for (const state of summary.states) {
      const service = this.model.services.find((s) => s.name === state.service);
      this.setView(state.service, { state: service?.image.kind === 'pinned' ? 'pinned' : 'running', image: service?.imageRef ?? '', health: state.health });
    }
    for (const service of this.model.services) this.followLogs(service.name);
    if (this.options.tests && plan.tests) {
      // Ctrl-C cancels the first tests too (their container is killed).
      const controller = new AbortController();
      const cancel = () => controller.abort();
      this.signal.addEventListener('abort', cancel, { once: true });
      try {
        await new Iteration(this, 0, ['start'], controller).runTests(plan.builds.map((b) => b.key));
      } catch (error) {
        if (!this.signal.aborted) throw error;
      } finally {
        this.signal.removeEventListener('abort', cancel);
      }
    } else if (this.options.tests && !plan.tests) {
      this.bus.emit('message', { level: 'info', text: 'no unit tests run: the Blubber file has no `test` variant (name one with --test-variant, or --no-test to silence this)' });
    }
    this.#starting = false;
    if (this.#pending.size > 0 && !this.#stopped) {
      this.bus.emit('message', { level: 'info', text: `${this.#pending.size} file(s) changed while dev was starting: building them now` });
      this.#fire();
    }
  }

  /**
   * Project directories a running service can write into (writable bind mounts): changes there
   * come from the stack itself, so they never trigger builds; an image reading them is reported.
   */
  #writableMounts(): string[] {
    const root = this.ports.files.root.replace(/\/+$/, '');
    const mounts: string[] = [];
    for (const service of this.plan.config.services) {
      for (const volume of service.volumes) {
        if (volume.kind !== 'bind' || volume.readOnly) continue;
        const host = volume.host.startsWith('/') ? volume.host : `${root}/${volume.host}`;
        const relative = host.startsWith(`${root}/`) ? host.slice(root.length + 1).replace(/^\.\//, '').replace(/\/+$/, '') : host === root ? '' : undefined;
        if (relative === undefined) continue;
        mounts.push(relative);
        const targets = inputTargets(this.plan, this.options.matcher);
        const readers = [...targets].filter(([, isInput]) => isInput(relative === '' ? 'x' : `${relative}/x`)).map(([key]) => key);
        this.bus.emit('message', {
          level: readers.length > 0 ? 'warn' : 'info',
          text: `${service.name} mounts ./${relative} read-write: changes under it come from the stack and do not trigger builds${readers.length > 0 ? ` (${readers.join(', ')} read it: mount it read_only, or exclude it in .dockerignore)` : ''}`,
        });
      }
    }
    return mounts;
  }

  #watch(): void {
    const ignored = this.options.matcher(this.plan.ignorePatterns.filter((p) => !p.startsWith('!')));
    const hasNegations = this.plan.ignorePatterns.some((p) => p.startsWith('!'));
    const writable = this.#writableMounts();
    const fromStack = (relative: string) => writable.some((m) => m === '' || relative === m || relative.startsWith(`${m}/`));
    this.#handle = this.ports.watcher.watch(this.ports.files.root, {
      ignore: (relative, isDirectory) =>
        isNoise(relative) || fromStack(relative) || (isDirectory && !hasNegations && ignored(relative) && !this.plan.specFiles.some((f) => f.startsWith(`${relative}/`))),
      onEvent: (event) => {
        if (this.#stopped || event.kind === 'addDir') return;
        if (!this.#pending.has(event.path)) this.#pending.set(event.path, event.at);
        this.#lastEventAt = Math.max(this.#lastEventAt, event.at);
        this.#debouncer.touch();
      },
      onError: (error) => this.bus.emit('message', { level: 'warn', text: `watcher: ${error.message}` }),
    });
  }

  /** Resolves once the watcher is live (tests and the bench wait for it). */
  ready(): Promise<void> {
    return this.#handle?.ready ?? Promise.resolve();
  }

  #fire(): void {
    if (this.#stopped || this.#starting || this.#pending.size === 0) return;
    if (this.#dispatching) {
      this.#dispatchAgain = true;
      return;
    }
    this.#dispatching = true;
    void this.#dispatch()
      .catch((error: unknown) => this.bus.emit('message', { level: 'error', text: toDevpipeError(error).message }))
      .finally(() => {
        this.#dispatching = false;
        if (this.#dispatchAgain) {
          this.#dispatchAgain = false;
          this.#fire();
        }
      });
  }

  async #dispatch(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    const prints = await this.#content.changed(batch.keys());
    const changed = new Map([...batch].filter(([file]) => prints.has(file)));
    if (changed.size === 0 || this.#stopped) return;
    if (this.#running) {
      // A newer change: cancel the running iteration if it works on what changed; it hands its
      // files back and the loop runs again with everything.
      for (const [file, at] of changed) if (!this.#pending.has(file)) this.#pending.set(file, at);
      this.#running.iteration.cancelIfStale([...changed.keys()]);
      return;
    }
    void this.#run([...changed.keys()], Math.min(...changed.values()), false, prints);
  }

  /** Rebuilds and redeploys everything (key `r`). */
  rebuildAll(): void {
    if (this.#running) {
      this.bus.emit('message', { level: 'info', text: 'an iteration is running; rebuild-all waits for it' });
    }
    void (this.#running?.done ?? Promise.resolve()).then(() => this.#run(['(rebuild all)'], Date.now(), true));
  }

  async #run(paths: string[], firstAt: number, all = false, prints: ReadonlyMap<string, string | undefined> = new Map()): Promise<void> {
    if (this.#stopped) return;
    const n = ++this.#n;
    const targets = { specFiles: this.plan.specFiles, images: inputTargets(this.plan, this.options.matcher) };
    const admitted = all ? { files: paths, unmuted: [] } : this.guard.admit(paths, firstAt);
    if (admitted.unmuted.length > 0) this.bus.emit('message', { level: 'info', text: `${describeFiles(admitted.unmuted)} saved again: it triggers builds again` });
    const changes = all ? emptyChangeSet() : addChanges(emptyChangeSet(), admitted.files, targets);
    if (all) for (const build of this.plan.builds) changes.affected.set(build.key, ['(rebuild all)']);
    if (!all && isEmpty(changes)) {
      if (changes.unrelated.length > 0) this.bus.emit('dev:iteration', { n, phase: 'end', reason: changes.unrelated, outcome: 'noop', durationMs: 0, detail: 'no image reads these files' });
      return;
    }
    const triggering = [...new Set([...changes.specs, ...[...changes.affected.values()].flat()])];
    const verdict = all ? { muted: [] } : this.guard.check(triggering, firstAt, this.#lastEventAt, Date.now());
    if (verdict.holdMs !== undefined) {
      // The probe: hold this build back; a person keeps saving, a loop stays quiet.
      for (const file of paths) if (!this.#pending.has(file)) this.#pending.set(file, firstAt);
      this.bus.emit('message', { level: 'info', text: `${describeFiles(triggering)} changed right after each of the last iterations; holding the next build ${Math.round(verdict.holdMs / 100) / 10}s to tell a person saving from a build writing into its own inputs` });
      clearTimeout(this.#holdTimer);
      this.#holdTimer = setTimeout(() => this.#fire(), verdict.holdMs);
      return;
    }
    if (verdict.muted.length > 0) {
      this.bus.emit('message', {
        level: 'warn',
        text: `${describeFiles(verdict.muted)} changed right after each iteration and only then (nobody saved while the build was held): a build or a running service writes into its own inputs. These files no longer trigger builds until you save them yourself (or restart devpipe dev); to fix it, mount the directory read_only, add the files to .dockerignore, or stop writing them from the container.`,
      });
    }
    const controller = new AbortController();
    const iteration = new Iteration(this, n, triggering, controller);
    const done = iteration.run(changes).then(
      (handBack) => {
        for (const file of handBack) if (!this.#pending.has(file)) this.#pending.set(file, Date.now());
      },
      (error: unknown) => this.bus.emit('message', { level: 'error', text: toDevpipeError(error).message }),
    );
    this.#running = { iteration, done };
    this.#content.begin(prints);
    await done;
    this.#content.end(iteration.outcome === 'ok');
    this.#running = undefined;
    this.guard.iterationEnded(Date.now(), iteration.outcome !== 'cancelled');
    // What waited for this iteration was debounced already: go on at once, unless events are
    // still arriving (then the debouncer fires when they settle).
    if (this.#pending.size > 0 && !this.#debouncer.armed) this.#fire();
  }

  /**
   * Streams a service's logs through the engine (no compose process per redeploy), followed
   * again after each redeploy from the new container's start, so nothing is lost.
   */
  followLogs(service: string): void {
    if (!this.options.logs || this.#stopped) return;
    this.#logFollowers.get(service)?.abort();
    const controller = new AbortController();
    this.#logFollowers.set(service, controller);
    const onLine = (line: string) => this.bus.emit('dev:log', { service, line });
    void this.containersOf(service)
      .then((ids) => Promise.all(ids.map((id) => this.ports.containers.follow(id, { signal: controller.signal, onLine }))))
      .catch(() => undefined);
  }

  /** Runs the e2e suite now (key `e`). */
  async e2e(): Promise<void> {
    if (!this.model?.suite) {
      this.bus.emit('message', { level: 'warn', text: 'this stack has no e2e suite (an `e2e:` section in .pipeline/devpipe.yaml; start dev with --e2e to build it)' });
      return;
    }
    await this.#running?.done;
    const iteration = new Iteration(this, ++this.#n, ['key e'], new AbortController());
    await iteration.runE2e().catch((error: unknown) => this.bus.emit('message', { level: 'error', text: toDevpipeError(error).message }));
  }

  /** Running containers of a service. */
  async containersOf(service: string): Promise<string[]> {
    const containers = await this.ports.containers.list({ [LABEL_PROJECT]: this.model.project, [LABEL_SERVICE]: service });
    return containers.filter((c) => c.state === 'running').map((c) => c.id);
  }

  modelWith(tags: ReadonlyMap<string, string>): StackModel {
    return stackModel(this.plan.config, new Map([...this.deployed, ...tags]));
  }

  async buildOnly(keys: readonly string[], signal: AbortSignal) {
    const builds = [...this.plan.builds, ...(this.plan.tests ? [this.plan.tests] : [])].filter((b) => keys.includes(b.key));
    // The unit-test image runs with no secret mounted: it is not scanned (nothing of it is deployed).
    const onlyTests = this.plan.tests !== undefined && keys.length === 1 && keys[0] === this.plan.tests.key && !this.plan.builds.some((b) => b.key === keys[0]);
    return buildStackImages(this.ports, this.bus, builds, this.plan.secrets, {
      scan: !onlyTests,
      project: this.plan.config.project,
      revision: this.plan.revision,
      fresh: false,
      concurrency: this.plan.config.settings.buildConcurrency,
      signal,
    });
  }

  /** Stops watching, cancels the running iteration and log followers. The stack stays up. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#debouncer.cancel();
    clearTimeout(this.#holdTimer);
    this.#running?.iteration.cancel();
    await this.#running?.done;
    for (const follower of this.#logFollowers.values()) follower.abort();
    await this.#handle?.close();
  }
}

export function notStarted(): never {
  throw new DevpipeError('internal', 'the dev loop was used before start()');
}
