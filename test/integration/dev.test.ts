/**
 * `devpipe dev` on the real engine and real compose: the hot path, rebuilds, unrelated changes,
 * bursts, a broken spec and a failed build that keep the last good version, Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { appendFile, cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot, runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { DevSession, devProject, freePort, until } from '../helpers/dev-session.js';

const { test } = await dockerTest();
test.serial.before(async () => undefined);

const sessions: { dir: string }[] = [];
test.after.always(async () => {
  for (const { dir } of sessions) await runCli(['-C', dir, 'down', '--images']);
});

test.serial('hot path, unrelated files, spec changes, Ctrl-C (stack stays up)', async (t) => {
  const port = await freePort();
  const dir = await devProject('dev-web', port, `dev-sync-${process.pid}`);
  sessions.push({ dir });
  const session = new DevSession(dir);
  try {
    await session.watching();
    const url = `http://127.0.0.1:${port}/index.html`;
    await until(url, 'token-0');
    t.true(session.events.some((e) => e.type === 'task:end' && e.id === 'test:test' && e.status === 'ok'), 'unit tests ran once at start');

    // A file copied only into the final image: synced into the container, no rebuild of web.
    let mark = session.events.length;
    await writeFile(path.join(dir, 'www/index.html'), '<html>token-1</html>\n');
    await until(url, 'token-1', 20_000);
    const synced = await session.iterationEnd(mark);
    t.is(synced.outcome, 'ok');
    t.regex(String(synced.detail), /synced into web/);
    t.deepEqual(session.builds(mark).filter((b) => b === 'build:web'), [], 'no rebuild of web on the hot path');

    // An unrelated file: zero builds.
    mark = session.events.length;
    await appendFile(path.join(dir, 'README.md'), 'more notes\n');
    const unrelated = await session.iterationEnd(mark);
    t.is(unrelated.outcome, 'noop');
    t.deepEqual(session.builds(mark), []);

    // The Blubber file: recompiled, rebuilt, redeployed.
    mark = session.events.length;
    const blubber = path.join(dir, '.pipeline/blubber.yaml');
    await writeFile(blubber, (await readFile(blubber, 'utf8')).replace('lives: {in: /srv/app}', 'lives: {in: /srv/app}\nruns: {environment: {MODE: dev}}'));
    const respec = await session.iterationEnd(mark);
    t.is(respec.outcome, 'ok', JSON.stringify(respec));
    t.regex(String(respec.detail), /redeployed web/);
    await until(url, 'token-1');

    const stopped = await session.stop();
    t.is(stopped.exitCode, 0, stopped.stderr);
    await until(url, 'token-1', 5000);
  } finally {
    session.child.kill('SIGKILL');
  }
});

test.serial('rebuild path: a burst of saves builds once; a broken spec and a failed build keep the last good version', async (t) => {
  const port = await freePort();
  const dir = await devProject('dev-web', port, `dev-build-${process.pid}`);
  sessions.push({ dir });
  // A settle window (settings.settle, default 500ms) long enough that the second save below lands
  // in it on a loaded CI machine too: this test is about what a save during it does.
  const stack = path.join(dir, '.pipeline/devpipe.yaml');
  await writeFile(stack, `${await readFile(stack, 'utf8')}settings: { settle: 3s }\n`);
  const session = new DevSession(dir, ['--no-sync', '--no-test']);
  try {
    await session.watching();
    const url = `http://127.0.0.1:${port}/index.html`;
    await until(url, 'token-0');

    let mark = session.events.length;
    // 100 saves back to back (synchronous: nothing in this process can pause between them).
    for (let i = 1; i <= 100; i++) writeFileSync(path.join(dir, 'www/index.html'), `<html>burst-${i}</html>\n`);
    await until(url, 'burst-100', 60_000);
    const burst = await session.iterationEnd(mark);
    t.is(burst.outcome, 'ok');
    t.deepEqual(session.builds(mark), ['build:web'], 'exactly one build for 100 saves');

    // A second save while the first one's redeploy is still settling (3 s here): the wait is cut
    // short, that iteration ends cancelled, and the newer change is built and served at once.
    mark = session.events.length;
    await writeFile(path.join(dir, 'www/index.html'), '<html>first</html>\n');
    await until(url, 'first', 60_000);
    await writeFile(path.join(dir, 'www/index.html'), '<html>second</html>\n');
    await until(url, 'second', 60_000);
    await session.next((e) => e.type === 'dev:iteration' && e.phase === 'end' && e.outcome === 'ok', 60_000, mark);
    const ends = session.events.slice(mark).filter((e) => e.type === 'dev:iteration' && e.phase === 'end');
    t.deepEqual(ends.map((e) => e.outcome), ['cancelled', 'ok'], JSON.stringify(ends));
    t.regex(String(ends[0]?.detail), /newer change/);
    t.true(session.events.slice(mark).some((e) => e.type === 'dev:service' && /superseded/.test(String(e.detail))));
    // The new container's log (httpd -v logs each request), from its start: nothing lost.
    const logged = await session.next((e) => e.type === 'dev:log' && e.service === 'web' && /response:200/.test(String(e.line)), 20_000, mark);
    t.notRegex(String(logged.line), /^\S+\s+\|/, 'no compose prefix: the service is named in the event');

    // Saved again without a change (and touched): nothing to build.
    mark = session.events.length;
    await writeFile(path.join(dir, 'www/index.html'), '<html>second</html>\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await appendFile(path.join(dir, 'README.md'), 'a note\n');
    const untouched = await session.iterationEnd(mark);
    t.is(untouched.outcome, 'noop', JSON.stringify(untouched));
    t.deepEqual(session.builds(mark), [], 'the same content saved again builds nothing');

    // A broken Blubber file: reported with its location; web keeps serving.
    mark = session.events.length;
    const blubber = path.join(dir, '.pipeline/blubber.yaml');
    const good = await readFile(blubber, 'utf8');
    await writeFile(blubber, good.replace('entrypoint:', 'entrypont:'));
    const broken = await session.iterationEnd(mark);
    t.is(broken.outcome, 'failed');
    t.true(session.events.slice(mark).some((e) => e.type === 'message' && /blubber\.yaml:\d+:\d+ .*entrypont/.test(String(e.text))));
    await until(url, 'second', 5000);

    // A build that fails: the last good version stays; the loop goes on.
    mark = session.events.length;
    await writeFile(blubber, good.replace('source: ./www/', 'source: ./nowhere/'));
    const failed = await session.iterationEnd(mark);
    t.is(failed.outcome, 'failed');
    await until(url, 'second', 5000);

    // Fixed: builds and serves again.
    mark = session.events.length;
    await writeFile(blubber, good);
    await writeFile(path.join(dir, 'www/index.html'), '<html>fixed</html>\n');
    await until(url, 'fixed', 60_000);
    t.is((await session.iterationEnd(mark)).outcome, 'ok');
    const running = (role: string) => execFileSync('docker', ['ps', '-q', '--filter', `label=devpipe.project=dev-build-${process.pid}`, '--filter', `label=devpipe.role=${role}`]).toString().split('\n').filter(Boolean);
    t.is(running('pod').length, 1, 'web runs in its pod, which holds its port across every redeploy');
    t.is(running('stack').length, 1);
    t.is(running('anchor').length, 0, 'the pod keeps the network up: no anchor needed');
    t.false(session.events.some((e) => e.type === 'message' && /fast redeploy failed/.test(String(e.text))), 'every redeploy went through the Engine API');
  } finally {
    await session.stop();
  }
  // down removes everything, the anchor first (a network with a container on it cannot go).
  const down = await runCli(['-C', dir, 'down']);
  t.is(down.exitCode, 0, down.stderr);
  t.is(execFileSync('docker', ['ps', '-aq', '--filter', `label=devpipe.project=dev-build-${process.pid}`]).toString().trim(), '');
  t.is(execFileSync('docker', ['network', 'ls', '-q', '--filter', `name=dev-build-${process.pid}`]).toString().trim(), '');
});

test.serial('settings.pods false: the service holds its own network; an anchor keeps the network up; down removes it', async (t) => {
  const port = await freePort();
  const project = `dev-nopod-${process.pid}`;
  const dir = await devProject('dev-web', port, project);
  sessions.push({ dir });
  await appendFile(path.join(dir, '.pipeline/devpipe.yaml'), 'settings: { pods: false }\n');
  const session = new DevSession(dir, ['--no-sync', '--no-test']);
  const running = (role: string) => execFileSync('docker', ['ps', '-q', '--filter', `label=devpipe.project=${project}`, '--filter', `label=devpipe.role=${role}`]).toString().split('\n').filter(Boolean);
  try {
    await session.watching();
    const url = `http://127.0.0.1:${port}/index.html`;
    await until(url, 'token-0');
    t.is(running('pod').length, 0);
    const mark = session.events.length;
    await writeFile(path.join(dir, 'www/index.html'), '<html>no-pod</html>\n');
    await until(url, 'no-pod', 60_000);
    t.is((await session.iterationEnd(mark)).outcome, 'ok');
    t.is(running('anchor').length, 1, 'web is alone on the network: anchored for its redeploys');
    t.false(session.events.some((e) => e.type === 'message' && /fast redeploy failed/.test(String(e.text))));
  } finally {
    await session.stop();
  }
  const down = await runCli(['-C', dir, 'down']);
  t.is(down.exitCode, 0, down.stderr);
  t.is(execFileSync('docker', ['ps', '-aq', '--filter', `label=devpipe.project=${project}`]).toString().trim(), '');
});

test.serial('--e2e: after a redeploy the e2e suite runs against the stack (through the pinned gateway, to the service in its pod)', async (t) => {
  const port = await freePort();
  const project = `dev-e2e-${process.pid}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'staging-copy-'));
  await cp(path.join(repoRoot, 'fixtures', 'staging-copy'), dir, { recursive: true });
  const stackFile = path.join(dir, '.pipeline/devpipe.yaml');
  await writeFile(stackFile, (await readFile(stackFile, 'utf8')).replace('project: staging-copy', `project: ${project}`).replace('"18080:8080"', `"${port}:8080"`));
  sessions.push({ dir });
  const session = new DevSession(dir, ['--e2e', '--no-sync', '--no-test']);
  try {
    await session.watching();
    const mark = session.events.length;
    await appendFile(path.join(dir, 'service/www/index.html'), '<!-- changed -->\n');
    const end = await session.iterationEnd(mark);
    t.is(end.outcome, 'ok', JSON.stringify(end));
    t.regex(String(end.detail), /redeployed api; e2e passed/);
    t.true(session.events.slice(mark).some((e) => e.type === 'task:log' && /e2e: all checks passed/.test(String(e.line))), 'the suite\'s output is streamed');
  } finally {
    await session.stop();
  }
});
