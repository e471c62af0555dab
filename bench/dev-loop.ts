/**
 * The dev loop, side by side in one run, on test/fixtures/dev-web (busybox httpd serving a
 * static page): save-to-serving latency (write a new token into the served file, poll until it
 * is served) over several changes for
 *   (a) `devpipe dev` on the rebuild path (--no-sync) and on the hot path (sync),
 *   (b) a raw baseline: docker build + docker rm -f + docker run + poll (the docker CLI, with the
 *       builder `docker build` uses here: BuildKit when the CLI has buildx, else the classic one),
 *   (b') the same with the build through the Engine API with BuildKit (version=2), so devpipe
 *       (which builds with BuildKit) is also compared with a raw cycle on the same builder,
 *   (c) `docker compose watch` with `action: rebuild`;
 * plus builds for a burst of 100 saves and for an unrelated file, and the idle watcher's CPU and
 * RSS on a 20 000-file tree.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DevSession, devProject, freePort, until } from '../test/helpers/dev-session.js';
import { median, type BenchSection } from './stats.js';

const CHANGES = 6;
/**
 * The poller's per-request timeout, the same for every candidate: a local busybox answers in
 * ~2 ms, and a request sent while a container starts hangs until the port proxy's SYN is resent
 * (~1 s), so a long timeout would blur the measurement by up to its own length.
 */
const REQUEST_TIMEOUT_MS = 50;
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
    await until(url, token, 120_000, 10, REQUEST_TIMEOUT_MS);
    samples.push(Date.now() - started);
    await sleep(300);
  }
  return samples;
}

/** Whether `docker build` here is BuildKit (the CLI has buildx) or the classic builder. */
const cliHasBuildx = spawnSync('docker', ['buildx', 'version'], { stdio: 'ignore' }).status === 0;

function docker(args: string[], cwd?: string): string {
  return execFileSync('docker', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_BUILDKIT: cliHasBuildx ? '1' : '0' } }).toString();
}

/** POST /build?version=2 on the engine socket with a `tar` of the directory (no devpipe code). */
function apiBuild(dir: string, tag: string): Promise<void> {
  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (!host.startsWith('unix://')) throw new Error(`the BuildKit API baseline needs a unix socket DOCKER_HOST, not ${host}`);
  const tar = execFileSync('tar', ['-C', dir, '-c', '.']);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { socketPath: host.slice('unix://'.length), method: 'POST', path: `/build?version=2&rm=1&t=${encodeURIComponent(tag)}`, headers: { 'Content-Type': 'application/x-tar' } },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => (response.statusCode === 200 && !body.includes('"errorDetail"') ? resolve() : reject(new Error(`build failed: ${body.slice(-500)}`))));
      },
    );
    request.on('error', reject);
    request.end(tar);
  });
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

async function rawBaseline(root: string, builder: 'cli' | 'api'): Promise<number[]> {
  const port = await freePort();
  const dir = await devProject('dev-web', port, `bench-raw-${builder}`);
  const dockerfile = execFileSync(process.execPath, [path.join(root, 'bin', 'devpipe.js'), '-C', dir, 'render', 'web']).toString().replaceAll('.devpipe-context/local/', './');
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  const name = `devpipe-bench-raw-${builder}-${process.pid}`;
  const cycle = async () => {
    if (builder === 'cli') docker(['build', '-q', '-t', name, '.'], dir);
    else await apiBuild(dir, name);
    docker(['rm', '-f', name]);
    docker(['run', '-d', '--name', name, '-p', `${port}:8080`, name]);
  };
  write(dir, 'token-0');
  await cycle();
  try {
    return await measure(dir, `http://127.0.0.1:${port}/index.html`, `raw-${builder}`, cycle);
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

async function idleWatcher(root: string, watcher?: 'chokidar'): Promise<{ cpuPercent: number; rssMb: number; files: number }> {
  const port = await freePort();
  const dir = await devProject('dev-web', port, `bench-idle-${process.pid}`);
  let files = 0;
  // Under www/: inputs of the image, so every one of them is watched (none is pruned).
  for (let d = 0; d < 200; d++) {
    mkdirSync(path.join(dir, 'www', 'data', `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++, files++) writeFileSync(path.join(dir, 'www', 'data', `d${d}`, `f${f}.txt`), `${d}-${f}`);
  }
  const session = new DevSession(dir, ['--no-test', '--no-logs'], watcher ? { DEVPIPE_WATCHER: watcher } : {});
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
  const raw = await rawBaseline(root, 'cli');
  const rawApi = await rawBaseline(root, 'api');
  const cw = await composeWatch(root);
  const idle = await idleWatcher(root);
  const idleChokidar = await idleWatcher(root, 'chokidar');
  const devLoop = median(rebuild.samples);
  const rawP50 = median(raw);
  const rawApiP50 = median(rawApi);
  const bestRaw = Math.min(rawP50, rawApiP50);
  const cwP50 = median(cw);
  const hotP50 = median(hot.samples);
  const cliBuilder = cliHasBuildx ? 'BuildKit' : 'classic builder: this docker CLI has no buildx';
  return {
    name: `dev loop: save → new content served, median of ${CHANGES} changes (test/fixtures/dev-web)`,
    rows: [
      [`raw baseline: docker build (${cliBuilder}) + rm -f + run + poll`, `${rawP50.toFixed(0)} ms`, `${(rawP50 / bestRaw).toFixed(2)}× best raw`],
      ['raw baseline: Engine API build (BuildKit) + rm -f + run + poll', `${rawApiP50.toFixed(0)} ms`, `${(rawApiP50 / bestRaw).toFixed(2)}× best raw`],
      ['devpipe dev, rebuild path (--no-sync)', `${devLoop.toFixed(0)} ms`, `${(devLoop / bestRaw).toFixed(2)}× best raw, ${(devLoop / rawP50).toFixed(2)}× docker CLI`],
      ['docker compose watch, action: rebuild', `${cwP50.toFixed(0)} ms`, `${(cwP50 / devLoop).toFixed(1)}× slower than devpipe`],
      ['devpipe dev, hot path (sync)', `${hotP50.toFixed(0)} ms`, `${(hotP50 / bestRaw).toFixed(2)}× best raw`],
      ['builds for a burst of 100 saves', String(rebuild.more.burstBuilds), ''],
      ['builds for a change to an unrelated file', String(rebuild.more.unrelatedBuilds), ''],
      [`idle devpipe dev watching ${idle.files} more input files: CPU`, `${idle.cpuPercent.toFixed(2)} % of a core`, ''],
      [`idle devpipe dev watching ${idle.files} more input files: RSS`, `${idle.rssMb.toFixed(0)} MB`, ''],
      [`the same with DEVPIPE_WATCHER=chokidar: CPU, RSS`, `${idleChokidar.cpuPercent.toFixed(2)} %, ${idleChokidar.rssMb.toFixed(0)} MB`, 'why chokidar is not the default'],
    ],
    metrics: {
      devLoopP50Ms: devLoop,
      rawBaselineP50Ms: rawP50,
      rawBaselineBuilder: cliHasBuildx ? 'buildkit' : 'classic',
      rawBuildkitApiBaselineP50Ms: rawApiP50,
      devLoopVsBestRawRatio: Number((devLoop / bestRaw).toFixed(3)),
      composeWatchP50Ms: cwP50,
      hotPathP50Ms: hotP50,
      devLoopSamplesMs: rebuild.samples.join(' '),
      rawBaselineSamplesMs: raw.join(' '),
      rawBuildkitApiBaselineSamplesMs: rawApi.join(' '),
      composeWatchSamplesMs: cw.join(' '),
      hotPathSamplesMs: hot.samples.join(' '),
      burstBuilds: rebuild.more.burstBuilds ?? null,
      unrelatedBuilds: rebuild.more.unrelatedBuilds ?? null,
      idleWatcherFiles: idle.files,
      idleWatcherCpuPercent: idle.cpuPercent,
      idleWatcherRssMb: idle.rssMb,
      idleChokidarCpuPercent: idleChokidar.cpuPercent,
      idleChokidarRssMb: idleChokidar.rssMb,
    },
  };
}
