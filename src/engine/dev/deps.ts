/**
 * What the dev loop and its iterations work with (below both, so the arrows point one way): the
 * options of `devpipe dev`, the ports an iteration uses, and the record of what an iteration is
 * still working towards (which a newer change can make stale).
 */
import type { EventBus } from '../events.js';
import type { DevTarget } from '../targets/types.js';
import type { DebounceSettings } from './debounce.js';
import type { PatternMatcher } from './inputs.js';
import type { DevPlan } from './plan.js';
import type { ServiceViews } from './views.js';

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

/** What an iteration uses; it changes nothing of the loop's own (it returns a result instead). */
export interface IterationPorts {
  target: DevTarget;
  bus: EventBus;
  views: ServiceViews;
  options: DevOptions;
  /** The project directory (synced files are copied from it). */
  root: string;
  /** The containers of these services changed: follow their logs again (from their start). */
  followLogs(services: readonly string[]): void;
}

/**
 * The build keys an iteration is still working towards, per activity (building, settling,
 * testing): a newer change to one of their inputs cancels it. A container swap or a sync in
 * progress is never in it (never interrupted).
 */
export class Busy {
  readonly #slots = new Map<string, readonly string[]>();

  set(activity: 'build' | 'settle' | 'tests', keys: readonly string[]): void {
    this.#slots.set(activity, [...keys]);
  }

  keys(): Set<string> {
    return new Set([...this.#slots.values()].flat());
  }
}

/** Why an iteration's signal aborted: a newer save made its work stale, or `dev` is stopping. */
export const SUPERSEDED = 'superseded';
export const STOPPING = 'stopping';
