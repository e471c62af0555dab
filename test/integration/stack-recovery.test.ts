/**
 * Issue 15 on the real engine and Compose: `up` recovers after a service exited once (item 1);
 * an unreadable or undeployable devpipe.yaml never blocks `down`/`status` (items 3, 4); `down
 * --volumes` after a plain `down` removes the volumes (item 6); two `up` at once on one project
 * (item 7).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { runBin, runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { tempProject } from '../helpers/tmp.js';
import { ensureBusybox, leftovers } from './stack-support.js';

const { test, docker } = await dockerTest();
const run = `r${process.pid}`;
const dirs: string[] = [];

test.before(async () => {
  await ensureBusybox(docker);
});

test.after.always(async () => {
  for (const dir of dirs) await runCli(['-C', dir, 'down', '--volumes']);
});

async function project(name: string, devpipe: string): Promise<string> {
  const dir = await tempProject({ '.pipeline/devpipe.yaml': `version: v1\nproject: ${run}-${name}\n${devpipe}` });
  dirs.push(dir);
  return dir;
}

const service = (command: string, extra = '') => `services:
  app:
    image: busybox:stable
    command: [/bin/busybox, sh, -c, "${command}"]
${extra}`;

async function edit(dir: string, from: string | RegExp, to: string): Promise<void> {
  const file = path.join(dir, '.pipeline/devpipe.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace(from, to));
}

test('item 1: after a service exited once, fixing the config and running up again recovers (3 times in a row)', async (t) => {
  const dir = await project('exited', service('echo broken config; exit 3'));
  const first = await runCli(['-C', dir, 'up']);
  t.is(first.exitCode, 1, first.stderr);
  t.regex(first.stderr, /service "app" stopped instead of becoming ready/);
  await edit(dir, 'echo broken config; exit 3', 'echo fixed; exec /bin/busybox sleep 3600');
  for (let i = 0; i < 3; i++) {
    const again = await runCli(['-C', dir, 'up']);
    t.is(again.exitCode, 0, again.stderr);
    t.notRegex(again.stderr, /broken config/, 'never the previous container\'s logs');
  }
  const containers = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`devpipe.project=${run}-exited`] }) });
  t.deepEqual(containers.map((c) => [c.Names[0]?.replace(/^\/[0-9a-f]{12}_/, '/<id>_'), c.State]), [[`/${run}-exited-app-1`, 'running']], 'no `<id>_<name>` container left Created');
  const status = await runCli(['-C', dir, 'status']);
  t.regex(status.stdout, /app\s+running/);
});

test('item 3: an alias bomb in devpipe.yaml is exit 2 located; down and status work from the recorded state', async (t) => {
  const dir = await project('bomb', service('exec /bin/busybox sleep 3600'));
  const up = await runCli(['-C', dir, 'up']);
  t.is(up.exitCode, 0, up.stderr);
  const file = path.join(dir, '.pipeline/devpipe.yaml');
  const lols = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) lols.push(`l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(',')}]`);
  await writeFile(file, `${lols.join('\n')}\n`);
  const again = await runCli(['-C', dir, 'up']);
  t.is(again.exitCode, 2, again.stderr);
  t.regex(again.stderr, /devpipe\.yaml:2:\d+ .*aliases expand to more than/);
  const status = await runCli(['-C', dir, 'status']);
  t.is(status.exitCode, 0, status.stderr);
  t.regex(status.stdout, new RegExp(`${run}-bomb:\\n\\s+app\\s+running`));
  const down = await runCli(['-C', dir, 'down']);
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await leftovers(docker, `${run}-bomb`), []);
});

test('item 4: bad ports and image references are exit 2 located, nothing started; down works while the old stack runs', async (t) => {
  const dir = await project('ports', service('exec /bin/busybox sleep 3600'));
  t.is((await runCli(['-C', dir, 'up'])).exitCode, 0);
  for (const [bad, where] of [
    ['    ports: ["28096:99999"]\n', /devpipe\.yaml:\d+:\d+ services\.app\.ports\[0\]: "28096:99999": a port is a number from 1 to 65535/],
    ['    ports: ["0:8080"]\n', /"0:8080": a port is a number from 1 to 65535/],
    ['    image: Busybox:Stable\n', /services\.app\.image: "Busybox:Stable" is not a valid image reference: the repository name must be lowercase/],
  ] as const) {
    const file = path.join(dir, '.pipeline/devpipe.yaml');
    const text = (await readFile(file, 'utf8')).replace(/ {4}(ports|image): .*\n/, '');
    await writeFile(file, text.replace('    command:', `${bad}    command:`));
    const up = await runCli(['-C', dir, 'up']);
    t.is(up.exitCode, 2, up.stderr);
    t.regex(up.stderr, where);
  }
  const down = await runCli(['-C', dir, 'down']);
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await leftovers(docker, `${run}-ports`), []);
});

test('item 6: down --volumes after a plain down removes the named volumes', async (t) => {
  const dir = await project('vols', service('exec /bin/busybox sleep 3600', '    volumes: [{ name: data, path: /data }]\n'));
  t.is((await runCli(['-C', dir, 'up'])).exitCode, 0);
  const plain = await runCli(['-C', dir, 'down']);
  t.is(plain.exitCode, 0, plain.stderr);
  t.regex(plain.stdout, /named volumes kept/);
  t.true((await leftovers(docker, `${run}-vols`)).some((l) => l.startsWith('volume ')), 'the plain down kept the volume');
  const volumes = await runCli(['-C', dir, 'down', '--volumes']);
  t.is(volumes.exitCode, 0, volumes.stderr);
  t.regex(volumes.stdout, /removed with its volumes \(.*data\)/);
  t.deepEqual(await leftovers(docker, `${run}-vols`), []);
});

test('item 7: two up at once on one project both succeed (the second waits for the lock); a live lock is named', async (t) => {
  const dir = await project('lock', service('exec /bin/busybox sleep 3600'));
  const [a, b] = await Promise.all([runBin(['-C', dir, 'up']), runBin(['-C', dir, 'up'])]);
  t.is(a.exitCode, 0, a.stderr);
  t.is(b.exitCode, 0, b.stderr);
  t.true([a, b].some((r) => /another devpipe up is running \(pid \d+\); waiting for it to finish/.test(r.stderr)), `${a.stderr}\n${b.stderr}`);
  const holder = execa('sleep', ['60'], { reject: false });
  t.teardown(() => holder.kill());
  await writeFile(path.join(dir, '.devpipe/lock'), JSON.stringify({ pid: holder.pid, command: 'up', host: hostname(), since: '' }));
  const blocked = await runCli(['-C', dir, 'up'], { env: { DEVPIPE_LOCK_WAIT: '0' } });
  t.is(blocked.exitCode, 3);
  t.regex(blocked.stderr, new RegExp(`error: another devpipe up is running \\(pid ${holder.pid}\\) on this project`));
  holder.kill();
  await holder;
  const after = await runCli(['-C', dir, 'down']);
  t.is(after.exitCode, 0, after.stderr);
  t.regex(after.stderr, /removed a stale lock of devpipe up/);
  t.deepEqual(await leftovers(docker, `${run}-lock`), []);
});
