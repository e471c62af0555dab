/**
 * The dev loop, side by side in one run, on test/fixtures/dev-web (busybox httpd serving a
 * static page): save-to-serving latency (write a new token into the served file, poll until it
 * is served) over several changes for
 *   (a) `devpipe dev` on the rebuild path (--no-sync) and on the hot path (sync),
 *   (b) a raw baseline: docker build + docker rm -f + docker run + poll (the docker CLI),
 *   (c) `docker compose watch` with `action: rebuild`;
 * plus builds for a burst of 100 saves and for an unrelated file, and the idle watcher's CPU and
 * RSS on a 20 000-file tree.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DevSession, devProject, freePort, until } from '../test/helpers/dev-session.js';
import { median, type BenchSection } from './stats.js';

const CHANGES = 6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function write(dir: string, token: string): void {
  writeFileSync(path.join(dir, 'www', 'index.html'), `<html>${token}</html>\n`);
}

async function measure(dir: string, url: string, label: string, act?: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 1; i <= CHANGES; i++) {
    const token = `${label}-${i}-${Date.now()}`;
    const started = Date.now();
    write(dir, token);
    if (act) await act();
    await until(url, token, 120_000, 10);
    samples.push(Date.now() - started);
    await sleep(300);
  }
  return samples;
}

function docker(args: string[], cwd?: string): string {
  return execFileSync('docker', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_BUILDKIT: '0' } }).toString();
}

async function devpipeDev(root: string, args: string[], label: string, extra?: (session: DevSession, dir: string) => Promise<Record<string, number>>) {
  const port = await freePort();
  const dir = await devProject('dev-web', port, `bench-${label}-${process.pid}`);
  const session = new DevSession(dir, ['--no-test', ...args]);
  try {
    await session.watching();
    const url = `http://127.0.0.1:${port}/index.html`;
    await until(url, 'token-0');
    const samples = await measure(dir, url, label);
    const more = extra ? await extra(session, dir) : {};
    return { samples, more, dir };
  } finally {
    await session.stop();
    execFileSync(process.execPath, [path.join(root, 'bin', 'devpipe.js'), '-C', dir, 'down', '--images'], { stdio: 'ignore' });
  }
}

async function burstAndUnrelated(session: DevSession, dir: string): Promise<Record<string, number>> {
  let mark = session.events.length;
  for (let i = 0; i < 100; i++) write(dir, `burst-${i}`);
  await session.iterationEnd(mark);
  await sleep(1500);
  const burstBuilds = session.builds(mark).length;
  mark = session.events.length;
  writeFileSync(path.join(dir, 'README.md'), `unrelated ${Date.now()}\n`);
  await session.iterationEnd(mark);
  await sleep(500);
  return { burstBuilds, unrelatedBuilds: session.builds(mark).length };
}

async function rawBaseline(root: string): Promise<number[]> {
  const port = await freePort();
  const dir = await devProject('dev-web', port, 'bench-raw');
  const dockerfile = execFileSync(process.execPath, [path.join(root, 'bin', 'devpipe.js'), '-C', dir, 'render', 'web']).toString().replaceAll('.devpipe-context/local/', './');
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  const name = `devpipe-bench-raw-${process.pid}`;
  const cycle = async () => {
    docker(['build', '-q', '-t', name, '.'], dir);
    docker(['rm', '-f', name]);
    docker(['run', '-d', '--name', name, '-p', `${port}:8080`, name]);
  };
  write(dir, 'token-0');
  await cycle();
  try {
    return await measure(dir, `http://127.0.0.1:${port}/index.html`, 'raw', cycle);
  } finally {
    docker(['rm', '-f', name]);
    docker(['rmi', '-f', name]);
  }
}

async function composeWatch(root: string): Promise<number[]> {
  const port = await freePort();
  const dir = await devProject('dev-web', port, 'bench-cw');
  const dockerfile = execFileSync(process.execPath, [path.join(root, 'bin', 'devpipe.js'), '-C', dir, 'render', 'web']).toString().replaceAll('.devpipe-context/local/', './');
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  writeFileSync(
    path.join(dir, 'compose.yaml'),
    `services:\n  web:\n    build: {context: ., dockerfile: Dockerfile}\n    ports: ["${port}:8080"]\n    develop:\n      watch:\n        - {action: rebuild, path: ./www}\n`,
  );
  const project = `devpipe-bench-cw-${process.pid}`;
  const watch = spawn('docker', ['compose', '-p', project, '-f', 'compose.yaml', 'watch'], { cwd: dir, stdio: 'ignore', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  try {
    await until(`http://127.0.0.1:${port}/index.html`, 'token-0', 180_000);
    await sleep(1000);
    return await measure(dir, `http://127.0.0.1:${port}/index.html`, 'cw');
  } finally {
    watch.kill('SIGINT');
    await sleep(500);
    execFileSync('docker', ['compose', '-p', project, '-f', 'compose.yaml', 'down', '--rmi', 'local', '-t', '0'], { cwd: dir, stdio: 'ignore' });
  }
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? 'VmRSS: 0 kB';
  return Number(line.replace(/\D+/g, '')) / 1024;
}

async function idleWatcher(root: string): Promise<{ cpuPercent: number; rssMb: number; files: number }> {
  const port = await freePort();
  const dir = await devProject('dev-web', port, `bench-idle-${process.pid}`);
  let files = 0;
  // Under www/: inputs of the image, so every one of them is watched (none is pruned).
  for (let d = 0; d < 200; d++) {
    mkdirSync(path.join(dir, 'www', 'data', `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++, files++) writeFileSync(path.join(dir, 'www', 'data', `d${d}`, `f${f}.txt`), `${d}-${f}`);
  }
  const session = new DevSession(dir, ['--no-test', '--no-logs']);
  try {
    await session.watching();
    await sleep(2000);
    const pid = session.child.pid!;
    const before = cpuTicks(pid);
    const seconds = 10;
    await sleep(seconds * 1000);
    const ticks = cpuTicks(pid) - before;
    return { cpuPercent: (ticks / 100 / seconds) * 100, rssMb: rssMb(pid), files };
  } finally {
    await session.stop();
    execFileSync(process.execPath, [path.join(root, 'bin', 'devpipe.js'), '-C', dir, 'down', '--images'], { stdio: 'ignore' });
  }
}

export async function devLoopBench(root: string): Promise<BenchSection> {
  const rebuild = await devpipeDev(root, ['--no-sync'], 'rebuild', burstAndUnrelated);
  const hot = await devpipeDev(root, [], 'hot');
  const raw = await rawBaseline(root);
  const cw = await composeWatch(root);
  const idle = await idleWatcher(root);
  const devLoop = median(rebuild.samples);
  const rawP50 = median(raw);
  const cwP50 = median(cw);
  const hotP50 = median(hot.samples);
  return {
    name: `dev loop: save → new content served, median of ${CHANGES} changes (test/fixtures/dev-web)`,
    rows: [
      ['raw baseline: docker build + rm -f + run + poll', `${rawP50.toFixed(0)} ms`, '1.00×'],
      ['devpipe dev, rebuild path (--no-sync)', `${devLoop.toFixed(0)} ms`, `${(devLoop / rawP50).toFixed(2)}× raw`],
      ['docker compose watch, action: rebuild', `${cwP50.toFixed(0)} ms`, `${(cwP50 / devLoop).toFixed(1)}× slower than devpipe`],
      ['devpipe dev, hot path (sync)', `${hotP50.toFixed(0)} ms`, `${(hotP50 / rawP50).toFixed(2)}× raw`],
      ['builds for a burst of 100 saves', String(rebuild.more.burstBuilds), ''],
      ['builds for a change to an unrelated file', String(rebuild.more.unrelatedBuilds), ''],
      [`idle devpipe dev watching ${idle.files} more input files: CPU`, `${idle.cpuPercent.toFixed(2)} % of a core`, ''],
      [`idle devpipe dev watching ${idle.files} more input files: RSS`, `${idle.rssMb.toFixed(0)} MB`, ''],
    ],
    metrics: {
      devLoopP50Ms: devLoop,
      rawBaselineP50Ms: rawP50,
      composeWatchP50Ms: cwP50,
      hotPathP50Ms: hotP50,
      devLoopSamplesMs: rebuild.samples.join(' '),
      rawBaselineSamplesMs: raw.join(' '),
      composeWatchSamplesMs: cw.join(' '),
      hotPathSamplesMs: hot.samples.join(' '),
      burstBuilds: rebuild.more.burstBuilds ?? null,
      unrelatedBuilds: rebuild.more.unrelatedBuilds ?? null,
      idleWatcherFiles: idle.files,
      idleWatcherCpuPercent: idle.cpuPercent,
      idleWatcherRssMb: idle.rssMb,
    },
  };
}
