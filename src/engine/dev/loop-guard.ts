/**
 * Detects a build or deploy that writes into its own watched inputs (a service writing into a
 * bind-mounted source directory, a generator in a copy step): the same files change right after
 * each iteration ends, again and again. A person must never be muted (issue 15, item 2), so a
 * loop has to be *proven*:
 *
 * 1. only completed iterations count (a cancelled one proves nothing: a newer save superseded it);
 * 2. after `limit` completed iterations in a row each followed within `windowMs` by a change of
 *    the same files, the next build is *held* for `holdMs`: a person keeps saving (a change
 *    arrives during the hold: not a loop, the count starts over), a loop stays quiet because no
 *    iteration ran;
 * 3. a quiet hold arms the guard: if the files change right after the next iteration again, they
 *    are muted, and reported with how to unmute;
 * 4. a muted file saved when no iteration just ended (a manual save) is unmuted at once.
 *
 * Pure: times come from the caller.
 */

export interface LoopGuardSettings {
  /** A change within this time after an iteration ended counts as caused by it. */
  windowMs: number;
  /** Consecutive caused iterations before the probe. */
  limit: number;
  /** How long the probe holds the next build back. */
  holdMs: number;
}

export const defaultLoopGuard: LoopGuardSettings = { windowMs: 1000, limit: 10, holdMs: 2000 };

export interface LoopVerdict {
  /** Files muted now: proven to change after every iteration and only then. */
  muted: string[];
  /** Hold the build this long (hand the files back, ask again when it ends): the probe. */
  holdMs?: number;
}

export class LoopGuard {
  #lastEndedAt = -Infinity;
  #streak = 0;
  #suspects = new Set<string>();
  #probe: { since: number; files: Set<string> } | undefined;
  #armed: Set<string> | undefined;
  readonly muted = new Set<string>();

  constructor(private readonly settings: LoopGuardSettings = defaultLoopGuard) {}

  /** An iteration ended; a cancelled one (`completed` false) proves nothing and is not counted. */
  iterationEnded(at: number, completed = true): void {
    if (completed) this.#lastEndedAt = at;
  }

  #soonAfterIteration(at: number): boolean {
    const since = at - this.#lastEndedAt;
    return since >= -this.settings.windowMs && since <= this.settings.windowMs;
  }

  /**
   * The changed files allowed to trigger: muted ones are dropped, unless this change is a manual
   * save (no iteration just ended), which unmutes them.
   */
  admit(files: readonly string[], changedAt: number): { files: string[]; unmuted: string[] } {
    const unmuted = this.#soonAfterIteration(changedAt) ? [] : files.filter((f) => this.muted.has(f));
    for (const file of unmuted) this.muted.delete(file);
    return { files: files.filter((f) => !this.muted.has(f)), unmuted };
  }

  #reset(live: readonly string[]): LoopVerdict {
    this.#streak = 0;
    this.#probe = undefined;
    this.#armed = undefined;
    this.#suspects = new Set(live);
    return { muted: [] };
  }

  /**
   * Called with the files that would trigger a new iteration, when they first and last changed,
   * and the time now. Says whether to run, hold, or mute.
   */
  check(files: readonly string[], firstChangeAt: number, lastChangeAt = firstChangeAt, now = lastChangeAt): LoopVerdict {
    const live = files.filter((f) => !this.muted.has(f));
    if (live.length === 0) return { muted: [] };
    const probe = this.#probe;
    if (probe) {
      // Someone saved during the hold: a person at work, not a loop.
      if (lastChangeAt > probe.since) return this.#reset(live);
      const left = probe.since + this.settings.holdMs - now;
      if (left > 0) return { muted: [], holdMs: left };
      this.#probe = undefined;
      this.#armed = probe.files;
      return { muted: [] };
    }
    if (!this.#soonAfterIteration(firstChangeAt)) return this.#reset(live);
    const armed = this.#armed;
    if (armed) {
      const proven = live.filter((f) => armed.has(f));
      this.#armed = undefined;
      if (proven.length > 0) {
        for (const f of proven) this.muted.add(f);
        this.#streak = 0;
        this.#suspects = new Set();
        return { muted: proven };
      }
      return this.#reset(live);
    }
    const repeated = live.filter((f) => this.#suspects.has(f) || this.#streak === 0);
    this.#streak = repeated.length > 0 ? this.#streak + 1 : 0;
    this.#suspects = new Set(repeated.length > 0 ? repeated : live);
    if (this.#streak >= this.settings.limit) {
      this.#probe = { since: now, files: new Set(this.#suspects) };
      return { muted: [], holdMs: this.settings.holdMs };
    }
    return { muted: [] };
  }

  /** Files still allowed to trigger (without the manual-save rule: for callers that only filter). */
  filter(files: readonly string[]): string[] {
    return files.filter((f) => !this.muted.has(f));
  }
}
