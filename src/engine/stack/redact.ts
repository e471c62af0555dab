/**
 * Redaction: every secret value is replaced by `[secret:<name>]` in everything devpipe prints —
 * events (so every reporter), result lines and errors. Pure.
 */
import { DevpipeError } from '../../errors.js';
import { EventBus, type EventMap, type EventName } from '../events.js';

/** Values shorter than this are not redacted (they would mangle unrelated text); `up` warns. */
export const MIN_REDACTED_LENGTH = 4;

export class Redactor {
  readonly #secrets: { name: string; value: string }[];

  constructor(secrets: readonly { name: string; value: string }[]) {
    // Longest first, so a value containing another is replaced whole.
    this.#secrets = secrets.filter((s) => s.value.length >= MIN_REDACTED_LENGTH).sort((a, b) => b.value.length - a.value.length);
  }

  /** Names of secrets too short to be redacted. */
  static tooShort(secrets: readonly { name: string; value: string }[]): string[] {
    return secrets.filter((s) => s.value.length > 0 && s.value.length < MIN_REDACTED_LENGTH).map((s) => s.name);
  }

  text(text: string): string {
    let out = text;
    for (const secret of this.#secrets) if (out.includes(secret.value)) out = out.split(secret.value).join(`[secret:${secret.name}]`);
    return out;
  }

  /** Every string inside a plain value (events, results). */
  value<T>(value: T): T {
    if (this.#secrets.length === 0) return value;
    if (typeof value === 'string') return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.value(v)) as T;
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v)])) as T;
    }
    return value;
  }

  error(error: unknown): unknown {
    if (!(error instanceof DevpipeError) || this.#secrets.length === 0) return error;
    const texts = [error.message, error.hint ?? '', ...error.details];
    if (texts.every((t) => this.text(t) === t)) return error; // keeps its class (SpecError's issues)
    const redacted = new DevpipeError(error.kind, this.text(error.message), {
      hint: error.hint === undefined ? undefined : this.text(error.hint),
      details: error.details.map((d) => this.text(d)),
      cause: error.cause,
    });
    return redacted;
  }
}

/** A bus that redacts every payload, then forwards it to `target` (which the reporters listen to). */
export class RedactingBus extends EventBus {
  constructor(
    private readonly target: EventBus,
    private readonly redactor: Redactor,
  ) {
    super();
  }

  override emit<K extends EventName>(type: K, payload: EventMap[K]): void {
    this.target.emit(type, this.redactor.value(payload));
  }
}
