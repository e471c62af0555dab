/**
 * Redaction: every secret value is replaced by `[secret:<name>]` in everything devpipe prints or
 * records. One Redactor per run lives in the composition root (cli/context.ts): its event bus, its
 * result lines, its error output, saved reports and `ci` records all go through it, so a value
 * registered once (`add`) is redacted everywhere. Pure.
 *
 * What is replaced, per value: the value itself; its JSON-escaped form (a log line that carries
 * the value inside a JSON string); and, for a multi-line value, the whole value and each of its
 * lines that is long enough to be a value on its own.
 *
 * devpipe's own text (the message and hint of an error, a warning's text, task titles) is never
 * rewritten: in those fields an occurrence that is a whole word, of a value that is a plain word
 * (letters only, like `password`, `changeme`, `snakeoil`), is left alone (a fake value `password`
 * must not turn the hint "give a password" into nonsense). Everything else — log lines, build
 * output, error details, result lines, records, reports — is redacted in full.
 */
import { DevpipeError } from '../../errors.js';
import { EventBus, type EventMap, type EventName } from '../events.js';

/** The shortest secret value devpipe accepts (shorter ones are refused at their declaration: exit 2). */
export const MIN_SECRET_LENGTH = 8;

interface Pattern {
  name: string;
  text: string;
  /** A plain word (letters only): protected inside devpipe's own text when it stands as a whole word. */
  word: boolean;
}

/** Fields of events whose text devpipe writes itself (templates, names): redacted with `ownText`. */
const OWN_FIELDS: Partial<Record<EventName, readonly string[]>> = {
  message: ['text'],
  'task:start': ['title'],
};

function patternsOf(name: string, value: string): Pattern[] {
  const texts = new Set<string>([value]);
  const json = JSON.stringify(value).slice(1, -1);
  if (json !== value) texts.add(json);
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n|\r/)) {
      const trimmed = line.trim();
      if (trimmed.length >= MIN_SECRET_LENGTH) texts.add(trimmed);
    }
  }
  return [...texts].filter((t) => t.length >= MIN_SECRET_LENGTH).map((text) => ({ name, text, word: /^[A-Za-z]+$/.test(text) }));
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z0-9_-]/.test(char);
}

export class Redactor {
  #patterns: Pattern[] = [];
  readonly #values = new Map<string, string>();

  constructor(secrets: readonly { name: string; value: string }[] = []) {
    this.add(secrets);
  }

  /** Registers more values (later resolution steps, `ci` credentials). */
  add(secrets: readonly { name: string; value: string }[]): void {
    for (const secret of secrets) {
      if (secret.value.length === 0) continue;
      const key = `${secret.name}\0${secret.value}`;
      if (this.#values.has(key)) continue;
      this.#values.set(key, secret.name);
      this.#patterns.push(...patternsOf(secret.name, secret.value));
    }
    // Longest first, so a value containing another (or one of its own lines) is replaced whole.
    this.#patterns.sort((a, b) => b.text.length - a.text.length);
  }

  /** True when no value is registered (nothing to do). */
  get empty(): boolean {
    return this.#patterns.length === 0;
  }

  /** Names of secrets too short to be redacted (refused by the callers: exit 2). */
  static tooShort(secrets: readonly { name: string; value: string }[]): string[] {
    return secrets.filter((s) => s.value.length < MIN_SECRET_LENGTH).map((s) => s.name);
  }

  /** Foreign text: every occurrence of every value is replaced. */
  text(text: string): string {
    let out = text;
    for (const p of this.#patterns) if (out.includes(p.text)) out = out.split(p.text).join(`[secret:${p.name}]`);
    return out;
  }

  /** devpipe's own text: as `text`, except a plain-word value standing as a whole word. */
  ownText(text: string): string {
    let out = text;
    for (const p of this.#patterns) {
      if (!out.includes(p.text)) continue;
      if (!p.word) {
        out = out.split(p.text).join(`[secret:${p.name}]`);
        continue;
      }
      let result = '';
      let from = 0;
      for (let at = out.indexOf(p.text); at >= 0; at = out.indexOf(p.text, at + p.text.length)) {
        const whole = !isWordChar(out[at - 1]) && !isWordChar(out[at + p.text.length]);
        result += out.slice(from, at) + (whole ? p.text : `[secret:${p.name}]`);
        from = at + p.text.length;
      }
      out = result + out.slice(from);
    }
    return out;
  }

  /** Every string inside a plain value (events, results, records). */
  value<T>(value: T): T {
    if (this.#patterns.length === 0) return value;
    if (typeof value === 'string') return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.value(v)) as T;
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v)])) as T;
    }
    return value;
  }

  /** An event payload: own fields with `ownText`, everything else in full. */
  event<K extends EventName>(type: K, payload: EventMap[K]): EventMap[K] {
    if (this.#patterns.length === 0) return payload;
    const own: readonly string[] = OWN_FIELDS[type] ?? [];
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(payload as Record<string, unknown>)) out[key] = own.includes(key) && typeof v === 'string' ? this.ownText(v) : this.value(v);
    return out as EventMap[K];
  }

  /** A DevpipeError with every text redacted (its message and hint as devpipe's own text). */
  error(error: unknown): unknown {
    if (!(error instanceof DevpipeError) || this.#patterns.length === 0) return error;
    const message = this.ownText(error.message);
    const hint = error.hint === undefined ? undefined : this.ownText(error.hint);
    const details = error.details.map((d) => this.text(d));
    if (message === error.message && hint === error.hint && details.every((d, i) => d === error.details[i])) return error; // keeps its class (SpecError's issues)
    return new DevpipeError(error.kind, message, { hint, details, cause: error.cause });
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
    this.target.emit(type, this.redactor.event(type, payload));
  }
}
