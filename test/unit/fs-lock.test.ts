/** Issue 15, item 7: the per-project lock `.devpipe/lock`: exclusive, named owner, stale-lock takeover. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import test from 'ava';
import { acquireProjectLock, LOCK_FILE } from '../../src/fs/project-lock.js';
import { tempProject } from '../helpers/tmp.js';

async function writeLock(dir: string, pid: number, command = 'up'): Promise<void> {
  await mkdir(path.join(dir, '.devpipe'), { recursive: true });
  await writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid, command, host: hostname(), since: new Date().toISOString() }));
}

test('a live owner: the second one fails after its wait, naming the command and pid', async (t) => {
  const dir = await tempProject({});
  const owner = execa('sleep', ['30'], { reject: false });
  t.teardown(() => owner.kill());
  await writeLock(dir, owner.pid!);
  const notices: string[] = [];
  const error = await t.throwsAsync(acquireProjectLock(dir, { command: 'up', waitMs: 300, pollMs: 50, onNotice: (n) => notices.push(n) }));
  t.is(error?.message, `another devpipe up is running (pid ${owner.pid}) on this project`);
  t.deepEqual(notices, [`another devpipe up is running (pid ${owner.pid}); waiting for it to finish`]);
});

test('a stale lock (its pid is gone) is taken over and said so', async (t) => {
  const dir = await tempProject({});
  const gone = execa('true');
  await gone;
  await writeLock(dir, gone.pid!, 'dev');
  const notices: string[] = [];
  const lock = await acquireProjectLock(dir, { command: 'up', waitMs: 0, onNotice: (n) => notices.push(n) });
  t.regex(notices[0] ?? '', new RegExp(`removed a stale lock of devpipe dev \\(pid ${gone.pid}, no longer running\\)`));
  t.is((JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8')) as { pid: number }).pid, process.pid);
  await lock.release();
  await t.throwsAsync(readFile(path.join(dir, LOCK_FILE), 'utf8'));
});

test('the second one waits and goes on when the first releases', async (t) => {
  const dir = await tempProject({});
  const first = await acquireProjectLock(dir, { command: 'up', waitMs: 0 });
  let acquired = false;
  const second = acquireProjectLock(dir, { command: 'down', waitMs: 5000, pollMs: 20 }).then((lock) => {
    acquired = true;
    return lock;
  });
  await new Promise((resolve) => setTimeout(resolve, 150));
  t.false(acquired, 'waits while the first holds it');
  await first.release();
  await (await second).release();
  t.true(acquired);
});
