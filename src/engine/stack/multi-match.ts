/**
 * The leak guard's matcher, pure: every secret value and its encoded forms compiled into one
 * Aho–Corasick automaton (a dense byte DFA), so a layer's bytes are walked once for all values,
 * whatever their number: no per-value rescans. The state carries over chunk boundaries.
 *
 * Forms matched, per value (`needleForms`):
 * - the raw bytes (UTF-8);
 * - JSON-escaped (`"`, `\`, control characters), when it differs;
 * - URL-encoded (`encodeURIComponent`), when it differs;
 * - base64 and base64url at the three byte alignments a value can have inside a longer encoded
 *   text (the characters every alignment determines fully), for values of ≥ 6 bytes (shorter
 *   cores would match by chance).
 */
import { Buffer } from 'node:buffer';

export interface Needle {
  name: string;
  value: string;
}

export type NeedleForm = 'raw' | 'json' | 'url' | 'base64' | 'base64url';

/** The byte strings that reveal `value`, each with its form. */
export function needleForms(value: string): { form: NeedleForm; bytes: Buffer }[] {
  if (value.length === 0) return [];
  const raw = Buffer.from(value);
  const out: { form: NeedleForm; bytes: Buffer }[] = [{ form: 'raw', bytes: raw }];
  const add = (form: NeedleForm, text: string) => {
    const bytes = Buffer.from(text);
    if (bytes.length > 0 && !out.some((o) => o.bytes.equals(bytes))) out.push({ form, bytes });
  };
  add('json', JSON.stringify(value).slice(1, -1));
  add('url', encodeURIComponent(value));
  if (raw.length >= 6) {
    for (let offset = 0; offset < 3; offset++) {
      const padded = Buffer.concat([Buffer.alloc(offset), raw]);
      // Characters made only of the value's bits: after the padding's, up to the last full group.
      const encoded = padded.toString('base64').slice([0, 2, 3][offset], Math.floor(padded.length / 3) * 4);
      add('base64', encoded);
      add('base64url', encoded.replaceAll('+', '-').replaceAll('/', '_'));
    }
  }
  return out;
}

/** A compiled set of patterns: a complete DFA over bytes and, per state, the needles it ends. */
export class Automaton {
  readonly names: readonly string[];
  /** Row of the next state = delta[row + byte], rows being state × 256 (pre-multiplied). */
  readonly delta: Int32Array;
  /** 1 where the state (by row / 256) ends a pattern. */
  readonly ends: Uint8Array;
  /** For each state, the bit set (as indexes) of needle names ending there; undefined: none. */
  readonly outputs: (readonly number[] | undefined)[];
  /** The longest pattern, in bytes. */
  readonly longest: number;

  constructor(needles: readonly Needle[]) {
    const names: string[] = [];
    const patterns: { name: number; bytes: Buffer }[] = [];
    for (const needle of needles) {
      const forms = needleForms(needle.value);
      if (forms.length === 0) continue;
      let index = names.indexOf(needle.name);
      if (index < 0) index = names.push(needle.name) - 1;
      for (const form of forms) patterns.push({ name: index, bytes: form.bytes });
    }
    this.names = names;
    this.longest = Math.max(0, ...patterns.map((p) => p.bytes.length));
    // The trie, as sparse children first.
    const children: Map<number, number>[] = [new Map()];
    const ends: Set<number>[] = [new Set()];
    for (const pattern of patterns) {
      let state = 0;
      for (const byte of pattern.bytes) {
        let next = children[state]!.get(byte);
        if (next === undefined) {
          next = children.push(new Map()) - 1;
          ends.push(new Set());
          children[state]!.set(byte, next);
        }
        state = next;
      }
      ends[state]!.add(pattern.name);
    }
    // Breadth first: failure links, inherited outputs, and the complete transition table.
    const count = children.length;
    const delta = new Int32Array(count * 256);
    const fail = new Int32Array(count);
    const queue: number[] = [];
    for (let byte = 0; byte < 256; byte++) {
      const child = children[0]!.get(byte);
      if (child !== undefined) {
        delta[byte] = child;
        queue.push(child);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const name of ends[fail[state]!]!) ends[state]!.add(name);
      for (let byte = 0; byte < 256; byte++) {
        const child = children[state]!.get(byte);
        if (child === undefined) {
          delta[state * 256 + byte] = delta[fail[state]! * 256 + byte]!;
        } else {
          fail[child] = delta[fail[state]! * 256 + byte]!;
          delta[state * 256 + byte] = child;
          queue.push(child);
        }
      }
    }
    for (let i = 0; i < delta.length; i++) delta[i] = delta[i]! * 256;
    this.delta = delta;
    this.outputs = ends.map((set) => (set.size > 0 ? [...set] : undefined));
    this.ends = Uint8Array.from(ends, (set) => (set.size > 0 ? 1 : 0));
  }
}

/**
 * Streams bytes (in chunks of any size) through the automaton and collects the names of the
 * needles seen since the last `reset`. `search` looks at one whole text without touching the
 * stream's state.
 */
export class MultiMatcher {
  readonly #automaton: Automaton;
  /** The current state's row (state × 256). */
  #state = 0;
  readonly #found = new Set<number>();

  constructor(needles: readonly Needle[] | Automaton) {
    this.#automaton = needles instanceof Automaton ? needles : new Automaton(needles);
  }

  get automaton(): Automaton {
    return this.#automaton;
  }

  feed(chunk: Uint8Array): void {
    const { delta, outputs, names, ends } = this.#automaton;
    if (names.length === 0 || this.#found.size === names.length) return;
    let row = this.#state;
    const length = chunk.length;
    for (let i = 0; i < length; i++) {
      row = delta[row + chunk[i]!]!;
      if (ends[row >>> 8] === 1) {
        for (const name of outputs[row >>> 8]!) this.#found.add(name);
        if (this.#found.size === names.length) break;
      }
    }
    this.#state = row;
  }

  search(text: string): string[] {
    if (text.length === 0) return [];
    const probe = new MultiMatcher(this.#automaton);
    probe.feed(Buffer.from(text));
    return probe.found();
  }

  found(): string[] {
    return [...this.#found].sort((a, b) => a - b).map((i) => this.#automaton.names[i]!);
  }

  reset(): void {
    this.#state = 0;
    this.#found.clear();
  }
}
