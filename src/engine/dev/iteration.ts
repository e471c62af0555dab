/**
 * One iteration of the dev loop, in order: hot path (sync) or build → redeploy what changed
 * (redeploy.ts) → unit tests → e2e. Reports
 * every step as events; never throws for the user's failures (the loop goes on).
 */
import path from 'node:path';
import { toDevpipeError } from '../../errors.js';
import type { StackTarget } from '../../ports.js';
import type { DevServiceView, EventBus } from '../events.js';
import { LABEL_PROJECT, LABEL_ROLE, type StackModel } from '../stack/model.js';
import type { ChangeSet } from './changes.js';
import type { DevOptions, DevPorts } from './loop.js';
import { inputTargets, servicesOf, suiteKey, type DevPlan } from './plan.js';
import { redeploy } from './redeploy.js';
import { syncDecision } from './sync.js';
import { runSuite } from '../stack/e2e.js';

/** What an iteration needs from the loop. */
export interface IterationContext {
  plan: DevPlan;
  model: StackModel;
  target: StackTarget;
  readonly deployed: Map<string, string>;
  readonly ports: DevPorts;
  readonly bus: EventBus;
  readonly options: DevOptions;
  setView(service: string, patch: Partial<DevServiceView>): void;
  followLogs(service: string): void;
  containersOf(service: string): Promise<string[]>;
  modelWith(tags: ReadonlyMap<string, string>): StackModel;
  buildOnly(keys: readonly string[], signal: AbortSignal): ReturnType<typeof import('../stack/up.js').buildStackImages>;
}

/**
 * Whether a service's process restarts after a hot sync: `--restart-after-sync` /
 * `--no-restart-after-sync` for every service, else the service's `sync.restart` (default true).
 */
export function restartsAfterSync(plan: DevPlan, service: string, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  return plan.config.services.find((s) => s.name === service)?.syncRestart ?? true;
}

export class Iteration {
  readonly #started = Date.now();
  /** Build keys whose result this iteration is still working towards (building, settling, testing). */
  #busy = new Set<string>();
  #files: string[] = [];
  /** Services synced this iteration, each with whether its process was restarted. */
  #syncNotes: string[] = [];

  constructor(
    private readonly loop: IterationContext,
    readonly n: number,
    readonly reason: string[],
    private readonly controller: AbortController,
  ) {}

  cancel(): void {
    this.controller.abort();
  }

  /**
   * Cancels the iteration when newer changes touch an image it is building, waiting to see
   * healthy, or testing (or a spec file): its result would be stale, and a developer saving
   * twice should not wait for the first save's health check or tests. A container swap in
   * progress is never interrupted. Other changes wait for the next iteration.
   */
  cancelIfStale(paths: readonly string[]): void {
    if (this.#busy.size === 0) return;
    const targets = inputTargets(this.loop.plan, this.loop.options.matcher);
    const stale = paths.some((p) => this.loop.plan.specFiles.includes(p) || [...this.#busy].some((key) => targets.get(key)?.(p)));
    if (stale) this.controller.abort();
  }

  /** How the iteration ended (set when it ends). */
  outcome: 'ok' | 'failed' | 'cancelled' | 'noop' | undefined;

  #end(outcome: 'ok' | 'failed' | 'cancelled' | 'noop', detail?: string): void {
    this.outcome = outcome;
    this.loop.bus.emit('dev:iteration', { n: this.n, phase: 'end', reason: this.reason, outcome, durationMs: Date.now() - this.#started, detail });
  }

  /** Runs the iteration; returns the files to hand back to the loop when it was cancelled. */
  async run(changes: ChangeSet): Promise<string[]> {
    const { loop } = this;
    const signal = this.controller.signal;
    this.#files = [...changes.specs, ...[...changes.affected.values()].flat()];
    loop.bus.emit('dev:iteration', { n: this.n, phase: 'start', reason: this.reason });
    try {
      let affected = new Map(changes.affected);
      if (changes.specs.length > 0) {
        loop.plan = await loop.options.reload();
        affected = new Map(loop.plan.builds.map((b) => [b.key, changes.specs]));
        if (loop.plan.tests) affected.set(loop.plan.tests.key, changes.specs);
      }
      const toBuild: string[] = [];
      const synced: string[] = [];
      for (const [key, files] of affected) {
        if (changes.specs.length === 0 && (await this.#trySync(key, files))) synced.push(...servicesOf(loop.plan, key));
        else toBuild.push(key);
      }
      const redeployed = await this.#rebuild(toBuild, affected, signal);
      const ranTests = loop.options.tests && loop.plan.tests && toBuild.length + synced.length > 0 ? await this.runTests(toBuild) : undefined;
      const e2e = redeployed.length > 0 && loop.options.e2eAfterDeploy && loop.model.suite ? await this.runE2e() : undefined;
      const done = [
        redeployed.length > 0 ? `redeployed ${redeployed.join(', ')}` : '',
        synced.length > 0 ? `synced into ${this.#syncNotes.join(', ')}` : '',
        redeployed.length + synced.length === 0 ? 'no image changed' : '',
        ranTests === undefined ? '' : ranTests ? 'tests passed' : 'tests FAILED',
        e2e === undefined ? '' : e2e ? 'e2e passed' : 'e2e FAILED',
      ].filter(Boolean);
      this.#end(ranTests === false || e2e === false ? 'failed' : 'ok', done.join('; '));
      return [];
    } catch (error) {
      if (signal.aborted) {
        this.#end('cancelled', 'a newer change arrived; building again with it');
        return this.#files;
      }
      const failure = toDevpipeError(error);
      loop.bus.emit('message', { level: 'error', text: [failure.message, ...failure.details].join('\n') });
      this.#end('failed', failure.message);
      return [];
    }
  }

  /** The hot path: every changed file provably needs no rebuild → copy into the running containers. */
  async #trySync(key: string, files: readonly string[]): Promise<boolean> {
    const { loop } = this;
    if (!loop.options.sync) return false;
    const build = loop.plan.builds.find((b) => b.key === key);
    const services = servicesOf(loop.plan, key);
    if (!build || services.length === 0 || files.length === 0) return false;
    const decisions = files.map((file) => ({ file, decision: syncDecision(build.stages, file, build.image.buildArgs) }));
    if (decisions.some((d) => !d.decision.sync)) return false;
    const started = Date.now();
    const containers = (await Promise.all(services.map((s) => loop.containersOf(s)))).flat();
    if (containers.length === 0) return false;
    for (const service of services) loop.setView(service, { state: 'syncing' });
    const copies = decisions.flatMap((d) => (d.decision.sync ? [{ hostPath: path.join(loop.ports.files.root, d.file), ...d.decision.target }] : []));
    const restarted: string[] = [];
    const reloading: string[] = [];
    for (const service of services) {
      const restart = restartsAfterSync(loop.plan, service, loop.options.restartAfterSync);
      (restart ? restarted : reloading).push(service);
      for (const container of await loop.containersOf(service)) {
        await loop.ports.syncer.put(container, copies);
        // A server that loaded the old code keeps serving it: restart its process (no stop timeout).
        if (restart) await loop.ports.syncer.restart(container);
      }
    }
    const durationMs = Date.now() - started;
    for (const service of services) {
      const how = restarted.includes(service) ? 'synced, process restarted' : 'synced, reloads itself (sync.restart: false)';
      loop.setView(service, { state: 'running', detail: how, lastBuild: { at: new Date().toISOString(), reason: [...files], durationMs, result: 'synced' } });
    }
    this.#syncNotes.push(...restarted.map((s) => `${s} (restarted)`), ...reloading.map((s) => `${s} (not restarted: reloads itself)`));
    return true;
  }

  async #rebuild(keys: readonly string[], affected: ReadonlyMap<string, string[]>, signal: AbortSignal): Promise<string[]> {
    const { loop } = this;
    const suite = suiteKey(loop.plan);
    const serviceKeys = keys.filter((k) => servicesOf(loop.plan, k).length > 0 || k === suite);
    if (serviceKeys.length === 0) return [];
    this.#busy = new Set(serviceKeys);
    const started = Date.now();
    for (const key of serviceKeys) for (const service of servicesOf(loop.plan, key)) loop.setView(service, { state: 'building' });
    // While the images build: ready the fast redeploy of the running containers (never rejects).
    void Promise.all(serviceKeys.flatMap((key) => servicesOf(loop.plan, key)).map((service) => loop.containersOf(service)))
      .then((ids) => loop.ports.replacer.prepare(ids.flat()))
      .catch(() => undefined);
    let built: Awaited<ReturnType<IterationContext['buildOnly']>>;
    try {
      built = await loop.buildOnly(serviceKeys, signal);
    } catch (error) {
      const result = signal.aborted ? 'cancelled' : 'failed';
      for (const key of serviceKeys) {
        for (const service of servicesOf(loop.plan, key)) {
          loop.setView(service, { state: 'running', detail: result === 'failed' ? `build failed; still running ${loop.deployed.get(key) ?? 'the last good version'}` : undefined, lastBuild: { at: new Date().toISOString(), reason: affected.get(key) ?? [], durationMs: Date.now() - started, result } });
        }
      }
      throw error;
    } finally {
      this.#busy = new Set();
    }
    const changed = new Map<string, string>();
    for (const key of serviceKeys) {
      const image = built.get(key);
      if (!image) continue;
      if (key === suite) {
        // The e2e suite's image is not deployed: the next suite run uses the new one.
        loop.deployed.set(key, image.contentTag);
        loop.model = loop.modelWith(new Map());
        continue;
      }
      const same = loop.deployed.get(key) === image.contentTag;
      if (!same) changed.set(key, image.contentTag);
      for (const service of servicesOf(loop.plan, key)) {
        loop.setView(service, { state: same ? 'running' : 'deploying', lastBuild: { at: new Date().toISOString(), reason: affected.get(key) ?? [], durationMs: image.durationMs, result: same ? 'unchanged' : 'built' } });
      }
    }
    if (changed.size === 0) return [];
    return redeploy(loop, changed, signal, (settling) => (this.#busy = new Set(settling)));
  }

  /** Builds and runs the unit tests; true when they passed. */
  async runTests(builtKeys: readonly string[]): Promise<boolean> {
    const { loop } = this;
    const tests = loop.plan.tests;
    if (!tests) return true;
    // The tests check the repository's code: their result shows on every service built here.
    void builtKeys;
    const services = [...new Set(loop.plan.builds.flatMap((b) => servicesOf(loop.plan, b.key)))];
    const at = new Date().toISOString();
    for (const service of services) loop.setView(service, { test: { at, result: 'running' } });
    this.#busy = new Set([tests.key]);
    try {
      return await this.#test(tests, services);
    } catch (error) {
      if (this.controller.signal.aborted) for (const service of services) loop.setView(service, { test: { at: new Date().toISOString(), result: 'cancelled' } });
      throw error;
    } finally {
      this.#busy = new Set();
    }
  }

  async #test(tests: NonNullable<DevPlan['tests']>, services: readonly string[]): Promise<boolean> {
    const { loop } = this;
    const built = await loop.buildOnly([tests.key], this.controller.signal);
    const image = built.get(tests.key);
    if (!image) return true;
    const id = `test:${tests.image.variant}`;
    loop.bus.emit('task:start', { id, title: `unit tests (${tests.image.variant})` });
    const started = Date.now();
    const result = await loop.ports.containers
      .run({
        image: image.contentTag,
        labels: { [LABEL_PROJECT]: loop.plan.config.project, [LABEL_ROLE]: 'test', 'devpipe.managed-by': 'devpipe' },
        signal: this.controller.signal,
        onOutput: (line, stream) => loop.bus.emit('task:log', { id, line, stream }),
      })
      .catch((error: unknown) => {
        const cancelled = this.controller.signal.aborted;
        loop.bus.emit('task:end', { id, status: cancelled ? 'skipped' : 'failed', durationMs: Date.now() - started, detail: cancelled ? 'cancelled: a newer change arrived' : toDevpipeError(error).message });
        throw error;
      });
    await loop.ports.containers.remove(result.containerId).catch(() => undefined);
    const passed = result.exitCode === 0;
    loop.bus.emit('task:end', { id, status: passed ? 'ok' : 'failed', durationMs: Date.now() - started, detail: passed ? undefined : `exit code ${result.exitCode}` });
    for (const service of services) loop.setView(service, { test: { at: new Date().toISOString(), result: passed ? 'passed' : 'failed' } });
    return passed;
  }

  async runE2e(): Promise<boolean> {
    const { loop } = this;
    const result = await runSuite(loop.ports, loop.bus, loop.model, loop.target, {
      run: `dev-${this.n}-${Date.now().toString(36)}`,
      secrets: loop.plan.secrets,
      redact: (text) => text,
      signal: this.controller.signal,
    });
    return result.exitCode === 0;
  }
}
