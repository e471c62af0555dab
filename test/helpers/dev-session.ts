/**
 * A `devpipe --json dev` child process on a copy of a fixture, with its NDJSON events collected,
 * for the dev-loop integration tests and the benchmark.
 */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { binPath, repoRoot } from './cli.js';

export interface DevEvent {
  type: string;
  [key: string]: unknown;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Copies `test/fixtures/<name>` to a temp dir with its own project name and host port. */
export async function devProject(name: string, port: number, project: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `${name}-`));
  await cp(path.join(repoRoot, 'test', 'fixtures', name), dir, { recursive: true });
  const stackFile = path.join(dir, '.pipeline', 'devpipe.yaml');
  const text = (await readFile(stackFile, 'utf8')).replace(/project: \S+/, `project: ${project}`).replace(/"\d+:8080"/, `"${port}:8080"`);
  await writeFile(stackFile, text);
  return dir;
}

export class DevSession {
  readonly events: DevEvent[] = [];
  readonly child: ResultPromise;
  #waiters: { test: (e: DevEvent) => boolean; resolve: (e: DevEvent) => void }[] = [];

  constructor(dir: string, args: string[] = [], env: Record<string, string> = {}) {
    this.child = execa('node', [binPath, '--json', '-C', dir, 'dev', ...args], { reject: false, env: { CI: 'true', ...env }, buffer: { stdout: false, stderr: true } });
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          const event = JSON.parse(line) as DevEvent;
          this.events.push(event);
          this.#waiters = this.#waiters.filter((w) => (w.test(event) ? (w.resolve(event), false) : true));
        } catch {
          // not an event
        }
      }
    });
  }

  /** Resolves with the first event (from now on, or already seen after `since`) that matches. */
  next(test: (e: DevEvent) => boolean, timeoutMs = 120_000, since = this.events.length): Promise<DevEvent> {
    const seen = this.events.slice(since).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; last events:\n${this.events.slice(-15).map((e) => JSON.stringify(e)).join('\n')}`)), timeoutMs);
      this.#waiters.push({ test, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  watching(): Promise<DevEvent> {
    return this.next((e) => e.type === 'message' && String(e.text).startsWith('watching'), 300_000, 0);
  }

  iterationEnd(since: number): Promise<DevEvent> {
    return this.next((e) => e.type === 'dev:iteration' && e.phase === 'end', 120_000, since);
  }

  builds(since = 0): string[] {
    return this.events.slice(since).filter((e) => e.type === 'task:start' && String(e.id).startsWith('build:')).map((e) => String(e.id));
  }

  /** Ctrl-C; SIGKILL after 30 s so a test can never hang on a session that does not stop. */
  async stop(): Promise<{ exitCode: number | undefined; stderr: string }> {
    this.child.kill('SIGINT');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    try {
      const result = await this.child;
      return { exitCode: result.exitCode, stderr: String(result.stderr ?? '') };
    } finally {
      clearTimeout(killer);
    }
  }
}

/** Polls an URL until its body contains `text`; returns the elapsed ms. */
/**
 * Polls `url` every `intervalMs` until its body contains `text`; each request gives up after
 * `requestTimeoutMs` (a request sent while a container starts can hang until its SYN is resent).
 */
export async function until(url: string, text: string, timeoutMs = 60_000, intervalMs = 10, requestTimeoutMs = 200): Promise<number> {
  const started = Date.now();
  for (;;) {
    // A ref'd timer, not AbortSignal.timeout (unref'd): a request docker-proxy accepts but nobody
    // answers yet must keep the process alive until it times out.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), requestTimeoutMs);
    try {
      const response = await fetch(url, { signal: controller.signal });
      if ((await response.text()).includes(text)) return Date.now() - started;
    } catch {
      // not up yet
    } finally {
      clearTimeout(timer);
    }
    if (Date.now() - started > timeoutMs) throw new Error(`${url} did not serve "${text}" within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
