/**
 * Fault injection on the real engine (issue 15): devpipe killed (SIGINT or SIGKILL) at seeded
 * random points of `up`, `dev` and `down`, and the engine connection dropped at random points
 * through a proxy socket (DOCKER_HOST=unix:///tmp/…sock → /var/run/docker.sock); `ci` killed at
 * seeded points too. After each fault: no exit 70, the next `up` (or `ci`) recovers, `status`
 * tells the truth, and `down` leaves nothing labelled with the project. FAULT_POINTS (default 2 per command: the CI short mode; ~20 for the
 * long mode, `npm run faults`) and FAULT_SEED.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { createConnection, createServer, type Socket } from 'node:net';
import { execa } from 'execa';
import { binPath, runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { tempProject } from '../helpers/tmp.js';
import { ensureBusybox, leftovers } from './stack-support.js';

const { test, docker } = await dockerTest();
const points = Number(process.env.FAULT_POINTS ?? '2');
const seed = Number(process.env.FAULT_SEED ?? '15015');
const run = `k${process.pid}`;
const tally = { killPoints: 0, dropPoints: 0, findings: [] as string[] };

/** mulberry32: a small seeded PRNG, so a failing point can be replayed with its seed. */
function prng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test.before(async () => {
  await ensureBusybox(docker);
});

test.after.always((t) => {
  t.log(`fault injection: seed ${seed}, ${tally.killPoints} kill points, ${tally.dropPoints} connection drops, ${tally.findings.length} finding(s)`);
});

const devpipeYaml = (project: string) => `version: v1
project: ${project}
services:
  db:
    image: busybox:stable
    command: [/bin/busybox, sh, -c, "exec /bin/busybox sleep 3600"]
    volumes: [{ name: data, path: /data }]
    healthcheck: { command: [/bin/busybox, "true"], interval: 200ms }
  app:
    image: busybox:stable
    command: [/bin/busybox, sh, -c, "exec /bin/busybox sleep 3600"]
    depends_on: [db]
`;

async function recovered(dir: string, project: string, where: string): Promise<string[]> {
  const problems: string[] = [];
  const up = await runCli(['-C', dir, 'up']);
  if (up.exitCode !== 0) problems.push(`${where}: the next up exited ${up.exitCode}: ${up.stderr.slice(-400)}`);
  const status = await runCli(['-C', dir, 'status']);
  if (!/app\s+running/.test(status.stdout) || !/db\s+running\s+healthy/.test(status.stdout)) problems.push(`${where}: status after up: ${status.stdout}`);
  const down = await runCli(['-C', dir, 'down', '--volumes']);
  if (down.exitCode !== 0) problems.push(`${where}: down exited ${down.exitCode}: ${down.stderr.slice(-400)}`);
  const left = await leftovers(docker, project);
  if (left.length > 0) problems.push(`${where}: down left ${left.join(', ')}`);
  const after = await runCli(['-C', dir, 'status']);
  if (!/not running/.test(after.stdout)) problems.push(`${where}: status after down: ${after.stdout}`);
  return problems;
}

for (const command of ['up', 'dev', 'down'] as const) {
  test.serial(`killed at ${points} seeded random points of ${command} (SIGINT and SIGKILL): the next up/down recovers`, async (t) => {
    const random = prng(seed + command.length);
    const project = `${run}-${command}`;
    const dir = await tempProject({ '.pipeline/devpipe.yaml': devpipeYaml(project) });
    const problems: string[] = [];
    for (let i = 0; i < points; i++) {
      if (command === 'down') await runCli(['-C', dir, 'up']);
      const signal = random() < 0.5 ? 'SIGINT' : 'SIGKILL';
      const delay = Math.floor(random() * (command === 'down' ? 3000 : 6000));
      const where = `${command} #${i} ${signal} after ${delay} ms (seed ${seed})`;
      const child = execa('node', [binPath, '-C', dir, command, ...(command === 'dev' ? ['--no-logs'] : [])], { reject: false, env: { CI: 'true', NO_COLOR: '1' } });
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill(signal);
      const killed = await Promise.race([child, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000))]);
      if (!killed) {
        child.kill('SIGKILL');
        problems.push(`${where}: did not stop within 60 s of ${signal}`);
      } else if (killed.exitCode === 70) problems.push(`${where}: exit 70: ${String(killed.stderr).slice(-300)}`);
      tally.killPoints++;
      problems.push(...(await recovered(dir, project, where)));
    }
    tally.findings.push(...problems);
    t.deepEqual(problems, []);
  });
}

const ciFiles = {
  '.pipeline/blubber.yaml': "version: v4\nbase: debian:bookworm-slim\nvariants:\n  slow:\n    entrypoint: [sh, -c, 'sleep 2; echo stage ok']\n",
  '.pipeline/config.yaml': 'pipelines:\n  test:\n    blubberfile: blubber.yaml\n    stages:\n      - name: first\n        build: slow\n        run: true\n      - name: second\n        build: slow\n        run: true\n',
};

test.serial(`killed at ${points} seeded random points of ci (SIGINT and SIGKILL): the next ci recovers and leaves no container`, async (t) => {
  const random = prng(seed + 2);
  const dir = await tempProject(ciFiles, `devpipe-fault-ci-${process.pid}-`);
  const project = path.basename(dir);
  t.teardown(async () => {
    for (const image of await docker.listImages({ filters: JSON.stringify({ label: [`devpipe.project=${project}`] }) })) await docker.getImage(image.Id).remove({ force: true }).catch(() => undefined);
  });
  const problems: string[] = [];
  const containersOf = async () => (await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`devpipe.project=${project}`] }) })).map((c) => c.Names[0] ?? c.Id);
  for (let i = 0; i < points; i++) {
    const signal = random() < 0.5 ? 'SIGINT' : 'SIGKILL';
    const delay = Math.floor(random() * 7000);
    const where = `ci #${i} ${signal} after ${delay} ms (seed ${seed})`;
    const child = execa('node', [binPath, '-C', dir, 'ci'], { reject: false, env: { CI: 'true', NO_COLOR: '1' } });
    await new Promise((resolve) => setTimeout(resolve, delay));
    child.kill(signal);
    const killed = await Promise.race([child, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000))]);
    if (!killed) {
      child.kill('SIGKILL');
      problems.push(`${where}: did not stop within 60 s of ${signal}`);
    } else if (killed.exitCode === 70) problems.push(`${where}: exit 70: ${String(killed.stderr).slice(-300)}`);
    tally.killPoints++;
    const next = await runCli(['-C', dir, 'ci']);
    if (next.exitCode !== 0) problems.push(`${where}: the next ci exited ${next.exitCode}: ${next.stderr.slice(-400)}`);
    const left = await containersOf();
    if (left.length > 0) problems.push(`${where}: the next ci left ${left.join(', ')}`);
  }
  tally.findings.push(...problems);
  t.deepEqual(problems, []);
});

test.serial(`the engine connection dropped at ${points} seeded random points of up: never exit 70, then recovery`, async (t) => {
  const random = prng(seed);
  const project = `${run}-drop`;
  const dir = await tempProject({ '.pipeline/devpipe.yaml': devpipeYaml(project) });
  const socketPath = `/tmp/devpipe-drop-${process.pid}.sock`;
  await rm(socketPath, { force: true });
  const open = new Set<Socket>();
  let dropping = false;
  const proxy = createServer((client) => {
    if (dropping) return client.destroy();
    const engine = createConnection('/var/run/docker.sock');
    open.add(client);
    client.pipe(engine).pipe(client);
    const close = () => {
      open.delete(client);
      client.destroy();
      engine.destroy();
    };
    client.on('error', close).on('close', close);
    engine.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => proxy.listen(socketPath, resolve));
  t.teardown(() => proxy.close());
  const problems: string[] = [];
  for (let i = 0; i < points; i++) {
    const delay = Math.floor(random() * 4000);
    const where = `connection dropped after ${delay} ms of up #${i} (seed ${seed})`;
    dropping = false;
    const child = runCli(['-C', dir, 'up'], { env: { DOCKER_HOST: `unix://${socketPath}`, DEVPIPE_LOCK_WAIT: '0' } });
    await new Promise((resolve) => setTimeout(resolve, delay));
    dropping = true;
    for (const socket of open) socket.destroy();
    const result = await child;
    if (result.exitCode === 70) problems.push(`${where}: exit 70: ${result.stderr.slice(-400)}`);
    tally.dropPoints++;
    problems.push(...(await recovered(dir, project, where)));
  }
  tally.findings.push(...problems);
  t.deepEqual(problems, []);
});
