/**
 * Detects a build or deploy that writes into its own watched inputs (a service writing into a
 * bind-mounted source directory, a generator in a copy step): the same files change right after
 * each iteration ends, again and again. After `limit` such iterations in a row those files are
 * reported and no longer trigger builds, instead of looping forever.
 */

export interface LoopGuardSettings {
  /** A change within this time after an iteration ended counts as caused by it. */
  windowMs: number;
  /** Consecutive self-triggered iterations before the files are muted. */
  limit: number;
}

/**
 * Conservative on purpose: a person saving quickly after each result must never be muted, so a
 * loop is only called after many iterations in a row. Writable bind mounts, the usual cause, are
 * caught up front (see DevLoop: changes under them never trigger builds).
 */
export const defaultLoopGuard: LoopGuardSettings = { windowMs: 1000, limit: 10 };

export interface LoopVerdict {
  /** Files muted now because they kept changing after every iteration. */
  muted: string[];
}

export class LoopGuard {
  #lastEndedAt = -Infinity;
  #streak = 0;
  #suspects = new Set<string>();
  readonly muted = new Set<string>();

  constructor(private readonly settings: LoopGuardSettings = defaultLoopGuard) {}

  iterationEnded(at: number): void {
    this.#lastEndedAt = at;
  }

  /** Called with the files that trigger a new iteration, and when they first changed. */
  check(files: readonly string[], firstChangeAt: number): LoopVerdict {
    const live = files.filter((f) => !this.muted.has(f));
    const since = firstChangeAt - this.#lastEndedAt;
    const soonAfter = since >= -this.settings.windowMs && since <= this.settings.windowMs;
    if (!soonAfter || live.length === 0) {
      this.#streak = 0;
      this.#suspects = new Set(live);
      return { muted: [] };
    }
    const repeated = live.filter((f) => this.#suspects.has(f) || this.#streak === 0);
    this.#streak = repeated.length > 0 ? this.#streak + 1 : 0;
    this.#suspects = new Set(repeated.length > 0 ? repeated : live);
    if (this.#streak >= this.settings.limit) {
      for (const f of this.#suspects) this.muted.add(f);
      this.#streak = 0;
      return { muted: [...this.#suspects] };
    }
    return { muted: [] };
  }

  /** Files still allowed to trigger. */
  filter(files: readonly string[]): string[] {
    return files.filter((f) => !this.muted.has(f));
  }
}
