/**
 * When a batch of changes fires: after a short quiet window with no new event, or at the latest
 * a cap after the batch's first event (so steady writes cannot postpone a build forever, unlike
 * a timer reset on every event). Pure: the caller keeps the times and arms one timer.
 */

export interface DebounceSettings {
  /** Quiet window after the last event. */
  quietMs: number;
  /** Hard cap after the first event of a batch. */
  capMs: number;
}

export const defaultDebounce: DebounceSettings = { quietMs: 30, capMs: 1000 };

export interface Batch {
  firstAt: number;
  lastAt: number;
}

/** The time at which the batch fires. */
export function fireAt(batch: Batch, settings: DebounceSettings = defaultDebounce): number {
  return Math.min(batch.lastAt + settings.quietMs, batch.firstAt + settings.capMs);
}

export function addEvent(batch: Batch | undefined, now: number): Batch {
  return batch ? { firstAt: batch.firstAt, lastAt: now } : { firstAt: now, lastAt: now };
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

/**
 * A small timer around the pure rule: `touch()` on every event; `onFire` runs once per batch.
 * Timers are injected so tests can drive time.
 */
export class Debouncer {
  #batch: Batch | undefined;
  #timer: unknown;

  constructor(
    private readonly onFire: () => void,
    private readonly settings: DebounceSettings = defaultDebounce,
    private readonly clock: Clock = realClock,
  ) {}

  touch(): void {
    const now = this.clock.now();
    this.#batch = addEvent(this.#batch, now);
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = this.clock.setTimeout(() => this.#fire(), Math.max(0, fireAt(this.#batch, this.settings) - now));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#batch = undefined;
    this.onFire();
  }

  /** Whether a batch is waiting for its quiet window (events are still arriving). */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  cancel(): void {
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#batch = undefined;
  }
}
