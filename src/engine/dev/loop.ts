/**
 * The dev loop: watcher → change set → debounced trigger → one iteration, and a failed iteration
 * never ends the loop. Builds made stale by a newer change are cancelled (the iteration hands its
 * files back); an event that leaves a file as it was built triggers nothing; a build writing into
 * its own inputs is caught by the loop guard. Talks only to a deploy target (DevTarget), the
 * watcher and file fingerprints; decisions are steps.ts's, the work iteration.ts's.
 */
import { toDevpipeError } from '../../errors.js';
import type { FileFingerprints, Watcher, WatchHandle } from '../../ports.js';
import type { EventBus } from '../events.js';
import type { Deployment, DevTarget } from '../targets/types.js';
import { BuiltContent } from './built-content.js';
import { addChanges, describeFiles, emptyChangeSet, isEmpty } from './changes.js';
import { Debouncer, defaultDebounce } from './debounce.js';
import { Busy, STOPPING, SUPERSEDED, type DevOptions, type IterationPorts } from './deps.js';
import { runIteration } from './iteration.js';
import { LoopGuard } from './loop-guard.js';
import { inputTargets, type DevPlan } from './plan.js';
import { isStale } from './steps.js';
import { buildTestImage, runE2e, runUnitTests, testsStarted } from './suites.js';
import { ServiceViews } from './views.js';
import { watchScope } from './watch-scope.js';

export type { DevOptions } from './deps.js';

export interface DevPorts {
  target: DevTarget;
  watcher: Watcher;
  fingerprints: FileFingerprints;
  /** The project directory (watched; synced files come from it). */
  root: string;
}

interface Running {
  controller: AbortController;
  busy: Busy;
  done: Promise<void>;
}

export class DevLoop {
  plan: DevPlan;
  /** What runs now (the last good version); undefined until start() deployed. */
  deployment: Deployment | undefined;
  readonly views: ServiceViews;
  readonly guard = new LoopGuard();
  #pending = new Map<string, number>();
  /** When the watcher last reported a change (the loop guard tells a person saving from a loop by it). */
  #lastEventAt = 0;
  #holdTimer: NodeJS.Timeout | undefined;
  readonly #debouncer: Debouncer;
  #running: Running | undefined;
  readonly #content: BuiltContent;
  #dispatching = false;
  #dispatchAgain = false;
  #n = 0;
  #handle: WatchHandle | undefined;
  readonly #logFollowers = new Map<string, AbortController>();
  #stopped = false;
  /** True until start() is over: changes seen meanwhile wait in #pending. */
  #starting = false;
  readonly #iterationPorts: IterationPorts;

  constructor(
    readonly ports: DevPorts,
    readonly bus: EventBus,
    initial: DevPlan,
    readonly options: DevOptions,
    readonly signal: AbortSignal,
  ) {
    this.plan = initial;
    this.views = new ServiceViews(bus);
    this.#debouncer = new Debouncer(() => this.#fire(), options.debounce ?? defaultDebounce);
    this.#content = new BuiltContent(ports.fingerprints);
    this.#iterationPorts = { target: ports.target, bus, views: this.views, options, root: ports.root, followLogs: (services) => services.forEach((s) => this.followLogs(s)) };
  }

  /**
   * Starts watching, brings the stack up and runs the tests once. Watching starts first, so an
   * edit saved while the first build or the first tests run is not lost: its iteration runs as
   * soon as the start is over (an unchanged content builds nothing: the tags are content-addressed).
   * Throws when the stack does not come up (dev ends: there is no last good version to keep).
   */
  async start(): Promise<void> {
    const { plan } = this;
    const { target } = this.ports;
    this.#starting = true;
    this.#watch();
    for (const service of plan.config.services) this.views.set(service.name, { state: service.image.kind === 'pinned' ? 'pinned' : 'building', image: service.image.kind === 'pinned' ? service.image.ref : '' });
    // Ctrl-C cancels the first tests too (their build, their container).
    const tests = new AbortController();
    const cancel = () => tests.abort();
    this.signal.addEventListener('abort', cancel, { once: true });
    try {
      // The unit-test image builds beside the stack's images; its container starts once the stack is up.
      const testImage = this.options.tests && plan.tests ? buildTestImage(target, plan, tests.signal) : undefined;
      testImage?.catch(() => undefined);
      let started: Awaited<ReturnType<DevTarget['deployer']['start']>>;
      try {
        started = await target.deployer.start(plan, this.signal);
      } catch (error) {
        tests.abort();
        await testImage?.catch(() => undefined);
        throw error;
      }
      this.deployment = started.deployment;
      for (const service of started.services) {
        const pinned = plan.config.services.find((s) => s.name === service.service)?.image.kind === 'pinned';
        this.views.set(service.service, { state: pinned ? 'pinned' : 'running', image: service.image, health: service.health });
      }
      for (const service of started.deployment.model.services) this.followLogs(service.name);
      if (testImage) {
        testsStarted(this.#iterationPorts, plan);
        try {
          await runUnitTests(this.#iterationPorts, plan, testImage, tests.signal);
        } catch (error) {
          if (!this.signal.aborted) throw error;
        }
      } else if (this.options.tests && !plan.tests) {
        this.bus.emit('message', { level: 'info', text: 'no unit tests run: the Blubber file has no `test` variant (name one with --test-variant, or --no-test to silence this)' });
      }
    } finally {
      this.signal.removeEventListener('abort', cancel);
    }
    this.#starting = false;
    if (this.#pending.size > 0 && !this.#stopped) {
      this.bus.emit('message', { level: 'info', text: `${this.#pending.size} file(s) changed while dev was starting: building them now` });
      this.#fire();
    }
  }

  #watch(): void {
    const scope = watchScope(this.plan, this.ports.root, this.options.matcher, () => this.plan);
    for (const note of scope.notes) this.bus.emit('message', note);
    this.#handle = this.ports.watcher.watch(this.ports.root, {
      ignore: scope.ignore,
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
      if (isStale(this.plan, this.options.matcher, this.#running.busy.keys(), [...changed.keys()])) this.#running.controller.abort(SUPERSEDED);
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

  /** Admits the files through the loop guard; the change set to work on, or undefined (held, muted, nothing). */
  #admit(n: number, paths: string[], firstAt: number) {
    const targets = { specFiles: this.plan.specFiles, images: inputTargets(this.plan, this.options.matcher) };
    const admitted = this.guard.admit(paths, firstAt);
    if (admitted.unmuted.length > 0) this.bus.emit('message', { level: 'info', text: `${describeFiles(admitted.unmuted)} saved again: it triggers builds again` });
    const changes = addChanges(emptyChangeSet(), admitted.files, targets);
    if (isEmpty(changes)) {
      if (changes.unrelated.length > 0) this.bus.emit('dev:iteration', { n, phase: 'end', reason: changes.unrelated, outcome: 'noop', durationMs: 0, detail: 'no image reads these files' });
      return undefined;
    }
    const triggering = [...new Set([...changes.specs, ...[...changes.affected.values()].flat()])];
    const verdict = this.guard.check(triggering, firstAt, this.#lastEventAt, Date.now());
    if (verdict.holdMs !== undefined) {
      // The probe: hold this build back; a person keeps saving, a loop stays quiet.
      for (const file of paths) if (!this.#pending.has(file)) this.#pending.set(file, firstAt);
      this.bus.emit('message', { level: 'info', text: `${describeFiles(triggering)} changed right after each of the last iterations; holding the next build ${Math.round(verdict.holdMs / 100) / 10}s to tell a person saving from a build writing into its own inputs` });
      clearTimeout(this.#holdTimer);
      this.#holdTimer = setTimeout(() => this.#fire(), verdict.holdMs);
      return undefined;
    }
    if (verdict.muted.length > 0) {
      this.bus.emit('message', {
        level: 'warn',
        text: `${describeFiles(verdict.muted)} changed right after each iteration and only then (nobody saved while the build was held): a build or a running service writes into its own inputs. These files no longer trigger builds until you save them yourself (or restart devpipe dev); to fix it, mount the directory read_only, add the files to .dockerignore, or stop writing them from the container.`,
      });
    }
    return { changes, triggering };
  }

  async #run(paths: string[], firstAt: number, all = false, prints: ReadonlyMap<string, string | undefined> = new Map()): Promise<void> {
    const deployment = this.deployment;
    if (this.#stopped || !deployment) return;
    const n = ++this.#n;
    const admitted = all ? { changes: emptyChangeSet(), triggering: ['(rebuild all)'] } : this.#admit(n, paths, firstAt);
    if (!admitted) return;
    const controller = new AbortController();
    const busy = new Busy();
    const work = runIteration(this.#iterationPorts, { n, reason: admitted.triggering, changes: admitted.changes, rebuildAll: all, plan: this.plan, deployment, busy, signal: controller.signal });
    const done = work.then(
      (result) => {
        // The iteration's result is the loop's state from now on.
        this.plan = result.plan;
        this.deployment = result.deployment;
        for (const file of result.handBack) if (!this.#pending.has(file)) this.#pending.set(file, Date.now());
      },
      (error: unknown) => this.bus.emit('message', { level: 'error', text: toDevpipeError(error).message }),
    );
    this.#running = { controller, busy, done };
    this.#content.begin(prints);
    await done;
    const outcome = await work.then((r) => r.outcome, () => 'failed' as const);
    this.#content.end(outcome === 'ok');
    this.#running = undefined;
    this.guard.iterationEnded(Date.now(), outcome !== 'cancelled');
    // What waited for this iteration was debounced already: go on at once, unless events are
    // still arriving (then the debouncer fires when they settle).
    if (this.#pending.size > 0 && !this.#debouncer.armed) this.#fire();
  }

  /**
   * Streams a service's logs as `dev:log` events, followed again after each redeploy from the
   * new container's start, so nothing is lost.
   */
  followLogs(service: string): void {
    if (!this.options.logs || this.#stopped || !this.deployment) return;
    this.#logFollowers.get(service)?.abort();
    const controller = new AbortController();
    this.#logFollowers.set(service, controller);
    this.ports.target.deployer.followLogs(this.plan.config.project, service, controller.signal, (line) => this.bus.emit('dev:log', { service, line }));
  }

  /** Runs the e2e suite now (key `e`). */
  async e2e(): Promise<void> {
    if (!this.deployment?.model.suite) {
      this.bus.emit('message', { level: 'warn', text: 'this stack has no e2e suite (an `e2e:` section in .pipeline/devpipe.yaml; start dev with --e2e to build it)' });
      return;
    }
    await this.#running?.done;
    const n = ++this.#n;
    const deployment = this.deployment;
    if (!deployment) return;
    await runE2e(this.ports.target, this.plan, deployment, `dev-${n}-${Date.now().toString(36)}`, new AbortController().signal).catch((error: unknown) =>
      this.bus.emit('message', { level: 'error', text: toDevpipeError(error).message }),
    );
  }

  /** Stops watching, cancels the running iteration and log followers. The stack stays up. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#debouncer.cancel();
    clearTimeout(this.#holdTimer);
    this.#running?.controller.abort(STOPPING);
    await this.#running?.done;
    for (const follower of this.#logFollowers.values()) follower.abort();
    await this.#handle?.close();
  }
}
