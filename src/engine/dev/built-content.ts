/**
 * Which file contents the dev loop has already built: the fingerprint (content hash and mode) of
 * each file as the last successful iteration built it, and as the running one builds it. An
 * event that leaves a file as it was built — a save without a change, a `touch`, the late tail
 * of a burst — triggers nothing. After a failed or cancelled iteration its files count as not
 * built, so the same content saved again is tried again.
 */
import type { FileFingerprints } from '../../ports.js';

export class BuiltContent {
  readonly #built = new Map<string, string>();
  #inFlight = new Map<string, string>();

  constructor(private readonly fingerprints: FileFingerprints) {}

  /**
   * The files whose content differs from what was (or is being) built, with their fingerprints
   * (undefined when a file cannot be read: it always counts as changed).
   */
  async changed(files: Iterable<string>): Promise<Map<string, string | undefined>> {
    const prints = await Promise.all([...files].map(async (file) => [file, await this.fingerprints.of(file).catch(() => undefined)] as const));
    return new Map(prints.filter(([file, print]) => print === undefined || (this.#inFlight.get(file) ?? this.#built.get(file)) !== print));
  }

  /** An iteration starts building these contents. */
  begin(prints: ReadonlyMap<string, string | undefined>): void {
    this.#inFlight = new Map([...prints].filter((entry): entry is [string, string] => entry[1] !== undefined));
  }

  /** The running iteration ended; only a successful one's contents count as built. */
  end(ok: boolean): void {
    for (const [file, print] of this.#inFlight) {
      if (ok) this.#built.set(file, print);
      else this.#built.delete(file);
    }
    this.#inFlight = new Map();
  }
}
