/**
 * The Engine API's build response, read line by line. A 200 status never means success by
 * itself: any `error`/`errorDetail` line rejects, and a build with no image ID is a failure.
 */
import { decodeTrace } from './buildkit-trace.js';

export interface BuildMessage {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string; code?: number };
  id?: string;
  aux?: { ID?: string } | string | Record<string, unknown>;
}

export class BuildOutput {
  imageId: string | undefined;
  error: string | undefined;
  readonly tail: string[] = [];
  readonly #names = new Map<string, string>();
  readonly #announced = new Set<string>();
  /** A RUN's output arrives in chunks cut anywhere: the unfinished line of each vertex and stream. */
  readonly #partial = new Map<string, string>();
  #buffer = '';

  constructor(private readonly onLog: (line: string) => void = () => {}) {}

  /** Feeds a raw chunk of the HTTP response (JSON messages split at arbitrary points). */
  push(chunk: Buffer | string): void {
    this.#buffer += chunk.toString();
    let newline: number;
    while ((newline = this.#buffer.indexOf('\n')) >= 0) {
      const line = this.#buffer.slice(0, newline).trim();
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line) this.#message(line);
    }
  }

  end(): void {
    const rest = this.#buffer.trim();
    this.#buffer = '';
    if (rest) this.#message(rest);
    this.#flush();
  }

  /** The unfinished lines of every vertex (at the end, or before an error is shown). */
  #flush(): void {
    for (const [key, line] of this.#partial) {
      this.#partial.delete(key);
      const name = this.#names.get(key.slice(0, key.lastIndexOf(':')));
      if (line.trim()) this.#log(name ? `  ${line}` : line);
    }
  }

  #log(text: string): void {
    // eslint-disable-next-line no-control-regex
    for (const line of text.replace(/\r/g, '').replace(/\u001b\[[0-9;]*m/g, '').split('\n')) {
      if (line.trim() === '') continue;
      this.tail.push(line);
      if (this.tail.length > 50) this.tail.shift();
      this.onLog(line);
    }
  }

  #message(line: string): void {
    let message: BuildMessage;
    try {
      message = JSON.parse(line) as BuildMessage;
    } catch {
      this.#log(line);
      return;
    }
    if (message.error || message.errorDetail) {
      this.error = message.errorDetail?.message ?? message.error ?? 'unknown build error';
      this.#log(this.error);
      return;
    }
    if (message.id === 'moby.buildkit.trace' && typeof message.aux === 'string') {
      this.#trace(message.aux);
      return;
    }
    if (message.id === 'moby.image.id' && message.aux && typeof message.aux === 'object' && 'ID' in message.aux) {
      this.imageId = String(message.aux.ID);
      return;
    }
    if (message.aux && typeof message.aux === 'object' && 'ID' in message.aux && typeof message.aux.ID === 'string') {
      this.imageId = message.aux.ID;
      return;
    }
    if (typeof message.stream === 'string') {
      const built = /Successfully built ([0-9a-f]{12,})/.exec(message.stream);
      if (built && !this.imageId) this.imageId = built[1];
      this.#log(message.stream);
      return;
    }
    if (typeof message.status === 'string') this.#log(message.id ? `${message.id}: ${message.status}` : message.status);
  }

  #trace(aux: string): void {
    const trace = decodeTrace(aux);
    for (const vertex of trace.vertexes) {
      if (vertex.name) this.#names.set(vertex.digest, vertex.name);
      const name = this.#names.get(vertex.digest) ?? vertex.digest.slice(0, 19);
      if (vertex.error) continue;
      if (vertex.cached && !this.#announced.has(`${vertex.digest}:cached`)) {
        this.#announced.add(`${vertex.digest}:cached`);
        this.#log(`${name} CACHED`);
      } else if (vertex.started && !this.#announced.has(vertex.digest)) {
        this.#announced.add(vertex.digest);
        this.#log(name);
      }
    }
    for (const log of trace.logs) {
      const name = this.#names.get(log.vertex);
      const key = `${log.vertex}:${log.stream}`;
      const lines = `${this.#partial.get(key) ?? ''}${log.message}`.split('\n');
      const unfinished = lines.pop() ?? '';
      if (unfinished) this.#partial.set(key, unfinished);
      else this.#partial.delete(key);
      for (const line of lines) if (line.trim()) this.#log(name ? `  ${line}` : line);
    }
    for (const vertex of trace.vertexes) {
      if (!vertex.error) continue;
      this.#flush();
      this.#log(`${this.#names.get(vertex.digest) ?? vertex.digest.slice(0, 19)}: ERROR ${vertex.error}`);
    }
  }
}
