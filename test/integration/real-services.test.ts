/**
 * Fixtures shaped like real services, on the real engine and compose: a Python service (Debian's
 * python3 from apt inside the build) whose Blubber file has another name, run with no devpipe.yaml
 * (zero-config follows .pipeline/config.yaml's blubberfile and the chart's port); under `dev`, an
 * edit to a module the server loaded at start is served by default (the process is restarted
 * after the hot sync). Zero-config errors name the default and print the devpipe.yaml that fixes it.
 */
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { DevSession, freePort, until } from '../helpers/dev-session.js';

const { test } = await dockerTest();

const dirs: string[] = [];
test.after.always(async () => {
  for (const dir of dirs) await runCli(['-C', dir, 'down', '--images']);
});

async function pythonService(): Promise<string> {
  const parent = await mkdtemp(path.join(tmpdir(), 'real-'));
  const dir = path.join(parent, `python-svc-${process.pid}`);
  await cp(path.join(repoRoot, 'fixtures/python-service'), dir, { recursive: true });
  dirs.push(dir);
  return dir;
}

test.serial('zero-config up --dry-run follows config.yaml\'s blubberfile and the chart port; a wrong default says so and prints the fix', async (t) => {
  const dir = await pythonService();
  const dry = await runCli(['-C', dir, 'up', '--dry-run']);
  t.is(dry.exitCode, 0, dry.stderr);
  t.regex(dry.stderr, /no \.pipeline\/blubber\.yaml: using \.pipeline\/service\.blubber\.yaml, the blubberfile of \.pipeline\/config\.yaml/);
  t.regex(dry.stderr, /port 8080 from charts\/python-service\/values\.yaml \(main_app\.port\)/);
  t.regex(dry.stdout, /blubber: \.pipeline\/service\.blubber\.yaml/);
  const wrong = await runCli(['-C', dir, 'up', '--dry-run', '--variant', 'nope']);
  t.is(wrong.exitCode, 2);
  t.regex(wrong.stderr, /the zero-config default builds variant "nope" of \.pipeline\/service\.blubber\.yaml, which has no such variant \(it has: build, production, test\)/);
  t.regex(wrong.stderr, /version: v1\nservices:\n {2}python-svc-\d+:\n {4}build: \{variant: production, blubber: \.pipeline\/service\.blubber\.yaml\}/);
  const port = await runCli(['-C', dir, 'up', '--dry-run', '--port', '99999']);
  t.is(port.exitCode, 2);
  t.regex(port.stderr, /--port 99999 is not a port/);
});

test.serial('a Python server edited under dev serves the new code by default (process restarted after the sync)', async (t) => {
  t.timeout(15 * 60_000, 'the first build installs python3 from Debian');
  const dir = await pythonService();
  const port = await freePort();
  const session = new DevSession(dir, ['--port', `${port}:8080`]);
  try {
    await session.next((e) => e.type === 'message' && String(e.text).startsWith('watching'), 12 * 60_000, 0);
    const url = `http://127.0.0.1:${port}/`;
    await until(url, 'hello from python v1', 120_000);
    t.true(session.events.some((e) => e.type === 'task:end' && e.id === 'test:test' && e.status === 'ok'), 'the test variant ran');
    const mark = session.events.length;
    const saved = Date.now();
    await writeFile(path.join(dir, 'app/message.py'), 'def message():\n    return "hello from python v2"\n');
    await until(url, 'hello from python v2', 30_000);
    const servedMs = Date.now() - saved;
    const end = await session.iterationEnd(mark);
    t.is(end.outcome, 'ok', JSON.stringify(end));
    t.regex(String(end.detail), /synced into python-svc-\d+ \(restarted\)/);
    t.deepEqual(session.builds(mark).filter((b) => !b.startsWith('build:test')), [], 'no rebuild of the service: the hot path');
    t.log(`python: save → new code served in ${servedMs} ms`);
    const stopped = await session.stop();
    t.is(stopped.exitCode, 0, stopped.stderr);
  } finally {
    if (session.child.exitCode === null) await session.stop();
  }
});

test.serial('zero-config up for real: the Blubber file config.yaml names, --port HOST:CONTAINER, served over HTTP; down removes it', async (t) => {
  t.timeout(15 * 60_000, 'the first build installs python3 from Debian');
  const dir = await pythonService();
  const port = await freePort();
  const up = await runCli(['-C', dir, 'up', '--port', `${port}:8080`]);
  t.is(up.exitCode, 0, up.stdout + up.stderr);
  t.regex(up.stderr, /no \.pipeline\/blubber\.yaml: using \.pipeline\/service\.blubber\.yaml, the blubberfile of \.pipeline\/config\.yaml/);
  t.true(up.stdout.includes(`http://localhost:${port}`) || up.stdout.includes(`127.0.0.1:${port}`), up.stdout);
  await until(`http://127.0.0.1:${port}/`, 'hello from python v1', 60_000);
  const down = await runCli(['-C', dir, 'down']);
  t.is(down.exitCode, 0, down.stdout + down.stderr);
  await t.throwsAsync(until(`http://127.0.0.1:${port}/`, 'hello', 1000), undefined, 'nothing serves after down');
});
