/**
 * The per-project lock `.devpipe/lock` (issue 15, item 7): one `up`/`down`/`dev`/`e2e --up` at a
 * time per project, so two of them never race Compose into a name conflict. Created with O_EXCL;
 * it holds the owner's pid and command. A lock whose pid is not alive (a killed devpipe) is stale
 * and taken over. A live owner is waited for (up to `waitMs`), then named in the error.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { DevpipeError } from '../errors.js';

export const LOCK_FILE = '.devpipe/lock';

export interface LockOwner {
  pid: number;
  command: string;
  host: string;
  since: string;
}

export interface ProjectLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

export interface AcquireOptions {
  command: string;
  /** The lock file, relative to the project (default `.devpipe/lock`; `ci` uses its own). */
  file?: string;
  /** How long to wait for a live owner (0: fail at once). */
  waitMs: number;
  pollMs?: number;
  signal?: AbortSignal | undefined;
  /** Told once when waiting starts, and when a stale lock is taken over. */
  onNotice?: (text: string) => void;
}

export async function acquireProjectLock(projectDir: string, options: AcquireOptions): Promise<ProjectLock> {
  const file = path.join(projectDir, options.file ?? LOCK_FILE);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + options.waitMs;
  let told = false;
  for (;;) {
    const mine: LockOwner = { pid: process.pid, command: options.command, host: hostname(), since: new Date().toISOString() };
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(`${JSON.stringify(mine)}\n`);
      await handle.close();
      return {
        release: async () => {
          const owner = await readOwner(file);
          if (owner?.pid === process.pid) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new DevpipeError('environment', `cannot create ${file}: ${(error as Error).message}`, { cause: error });
    }
    const owner = await readOwner(file);
    // Unreadable (being written right now) counts as live for one more poll; a dead pid on this host is stale.
    if (owner && owner.host === hostname() && !alive(owner.pid)) {
      options.onNotice?.(`removed a stale lock of devpipe ${owner.command} (pid ${owner.pid}, no longer running)`);
      await rm(file, { force: true });
      continue;
    }
    const who = owner ? `another devpipe ${owner.command} is running (pid ${owner.pid})` : 'another devpipe is starting on this project';
    if (options.signal?.aborted) throw new DevpipeError('interrupted', 'interrupted while waiting for the project lock');
    if (Date.now() >= deadline) {
      throw new DevpipeError('environment', `${who} on this project`, {
        hint: `wait for it to finish (or stop it); if no devpipe runs, remove ${options.file ?? LOCK_FILE}`,
      });
    }
    if (!told) {
      options.onNotice?.(`${who}; waiting for it to finish`);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}
