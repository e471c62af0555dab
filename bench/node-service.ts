/**
 * A real-shaped Node service (fixtures/node-service: express and 100 more npm packages installed
 * through the host trust store, one declared secret), side by side in one run: save → new code
 * served, median of EDITS edits to `lib/greeting.js`, for
 *   (a) `devpipe dev` (the default: hot sync, then the process restarted),
 *   (b) `devpipe dev --no-sync` (rebuild, leak guard, redeploy), with the leak guard's cost on the
 *       first (startup) scan and on the later iterations,
 *   (c) the raw baseline: `docker build` of the rendered Dockerfile + `docker rm -f` + `docker run`
 *       + poll (no scan at all),
 *   (d) `docker compose watch` with `action: rebuild`.
 * The Node base is the local stand-in (test/helpers/base-images.ts) under the production name.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { NODE_BASE, nodeStandIn, settingsFile } from '../test/helpers/base-images.js';
import { DevSession, freePort, until, type DevEvent } from '../test/helpers/dev-session.js';
import { median, type BenchSection } from './stats.js';

const EDITS = 5;
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const REQUEST_TIMEOUT_MS = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function edit(dir: string, token: string): void {
  writeFileSync(path.join(dir, 'lib', 'greeting.js'), `'use strict';\nexports.greeting = () => 'hello ${token}';\n`);
}

/** A copy of the fixture with its own project name and host port. */
function copy(label: string, port: number): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'bench-node-')), `bench-node-${label}-${process.pid}`);
  cpSync(path.join(ROOT, 'fixtures', 'node-service'), dir, { recursive: true });
  const stack = path.join(dir, '.pipeline', 'devpipe.yaml');
  writeFileSync(stack, readFileSync(stack, 'utf8').replace('"18080:8080"', `"${port}:8080"`));
  edit(dir, 'token-0');
  return dir;
}

async function measure(dir: string, url: string, label: string, act?: () => Promise<void> | void): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 1; i <= EDITS; i++) {
    const token = `${label}-${i}-${Date.now()}`;
    const started = Date.now();
    edit(dir, token);
    if (act) await act();
    await until(url, token, 300_000, 20, REQUEST_TIMEOUT_MS);
    samples.push(Date.now() - started);
    await sleep(500);
  }
  return samples;
}

const scans = (events: readonly DevEvent[]) => events.filter((e) => e.type === 'task:end' && String(e.id).startsWith('scan:')).map((e) => ({ ms: Number(e.durationMs), detail: String(e.detail ?? '') }));
const iterations = (events: readonly DevEvent[]) => events.filter((e) => e.type === 'dev:iteration' && e.phase === 'end').map((e) => Number(e.durationMs ?? Number.NaN));

async function devpipeDev(root: string, env: Record<string, string>, args: string[], label: string) {
  const port = await freePort();
  const dir = copy(label, port);
  const session = new DevSession(dir, ['--no-test', ...args], env);
  try {
    await session.watching();
    const url = `http://127.0.0.1:${port}/`;
    await until(url, 'token-0', 300_000);
    const startScans = scans(session.events);
    const mark = session.events.length;
    const samples = await measure(dir, url, label);
    await sleep(1000);
    return { samples, firstScans: startScans, laterScans: scans(session.events.slice(mark)), iterationsMs: iterations(session.events.slice(mark)) };
  } finally {
    await session.stop();
    execFileSync(process.execPath, [path.join(root, 'bin', 'devpipe.js'), '-C', dir, 'down', '--images'], { stdio: 'ignore', env: { ...process.env, ...env } });
  }
}

/** The rendered Dockerfile for `docker build` at the project root; npm gets the host's CA bundle as a file (baseline only). */
function rawDockerfile(root: string, dir: string, env: Record<string, string>): string {
  const rendered = execFileSync(process.execPath, [path.join(root, 'bin', 'devpipe.js'), '-C', dir, 'render', 'production'], { env: { ...process.env, ...env } }).toString();
  cpSync('/etc/ssl/certs/ca-certificates.crt', path.join(dir, 'host-ca.pem'));
  return rendered
    .replaceAll('.devpipe-context/local/', './')
    .replace(/^FROM .*$/m, (from) => `${from}\nCOPY host-ca.pem /tmp/host-ca.pem\nENV NODE_EXTRA_CA_CERTS=/tmp/host-ca.pem npm_config_cafile=/tmp/host-ca.pem`);
}

function docker(args: string[], cwd?: string): string {
  return execFileSync('docker', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_BUILDKIT: '0' } }).toString();
}

async function rawBaseline(root: string, env: Record<string, string>): Promise<number[]> {
  const port = await freePort();
  const dir = copy('raw', port);
  writeFileSync(path.join(dir, 'Dockerfile'), rawDockerfile(root, dir, env));
  writeFileSync(path.join(dir, 'api_token'), 'fake-node-token-for-local-dev\n');
  const name = `devpipe-bench-node-raw-${process.pid}`;
  const cycle = () => {
    docker(['build', '-q', '--force-rm', '-t', name, '.'], dir);
    docker(['rm', '-f', name]);
    docker(['run', '-d', '--name', name, '-p', `${port}:8080`, '-v', `${path.join(dir, 'api_token')}:/run/secrets/api_token:ro`, name]);
  };
  cycle();
  try {
    await until(`http://127.0.0.1:${port}/`, 'token-0', 300_000);
    return await measure(dir, `http://127.0.0.1:${port}/`, 'raw', cycle);
  } finally {
    docker(['rm', '-f', name]);
    docker(['rmi', '-f', name]);
  }
}

async function composeWatch(root: string, env: Record<string, string>): Promise<number[]> {
  const port = await freePort();
  const dir = copy('cw', port);
  writeFileSync(path.join(dir, 'Dockerfile'), rawDockerfile(root, dir, env));
  writeFileSync(path.join(dir, 'api_token'), 'fake-node-token-for-local-dev\n');
  writeFileSync(
    path.join(dir, 'compose.yaml'),
    [
      'services:',
      '  web:',
      '    build: {context: ., dockerfile: Dockerfile}',
      `    ports: ["${port}:8080"]`,
      '    secrets: [api_token]',
      '    develop:',
      '      watch:',
      '        - {action: rebuild, path: ./lib}',
      '        - {action: rebuild, path: ./server.js}',
      'secrets:',
      '  api_token: {file: ./api_token}',
      '',
    ].join('\n'),
  );
  const project = `devpipe-bench-node-cw-${process.pid}`;
  const watch = spawn('docker', ['compose', '-p', project, '-f', 'compose.yaml', 'watch'], { cwd: dir, stdio: 'ignore', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  try {
    await until(`http://127.0.0.1:${port}/`, 'token-0', 300_000);
    await sleep(1000);
    return await measure(dir, `http://127.0.0.1:${port}/`, 'cw');
  } finally {
    watch.kill('SIGINT');
    await sleep(500);
    execFileSync('docker', ['compose', '-p', project, '-f', 'compose.yaml', 'down', '--rmi', 'local', '-t', '0'], { cwd: dir, stdio: 'ignore' });
  }
}

export async function nodeServiceBench(root: string): Promise<BenchSection> {
  const standIn = await nodeStandIn(new Docker());
  const env = { DEVPIPE_SETTINGS: await settingsFile({ [NODE_BASE]: standIn }) };
  const packages = Object.keys((JSON.parse(readFileSync(path.join(root, 'fixtures', 'node-service', 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> }).packages).filter(Boolean).length;
  const raw = await rawBaseline(root, env);
  const hot = await devpipeDev(root, env, [], 'sync');
  const rebuild = await devpipeDev(root, env, ['--no-sync'], 'rebuild');
  const cw = await composeWatch(root, env);
  const rawP50 = median(raw);
  const hotP50 = median(hot.samples);
  const rebuildP50 = median(rebuild.samples);
  const cwP50 = median(cw);
  const firstScanMs = rebuild.firstScans.reduce((sum, s) => sum + s.ms, 0);
  const laterScanMs = rebuild.laterScans.length ? median(rebuild.laterScans.map((s) => s.ms)) : 0;
  const laterShare = laterScanMs / rebuildP50;
  return {
    name: `Node service (fixtures/node-service, ${packages} npm packages, 1 secret): save → new code served, median of ${EDITS} edits`,
    rows: [
      ['raw baseline: docker build (classic) + rm -f + run + poll, no scan', `${rawP50.toFixed(0)} ms`, '1.00×'],
      ['devpipe dev (hot sync + restart, the default)', `${hotP50.toFixed(0)} ms`, `${(hotP50 / rawP50).toFixed(2)}× raw`],
      ['devpipe dev --no-sync (rebuild + leak guard + redeploy)', `${rebuildP50.toFixed(0)} ms`, `${(rebuildP50 / rawP50).toFixed(2)}× raw`],
      ['docker compose watch, action: rebuild', `${cwP50.toFixed(0)} ms`, `${(cwP50 / rawP50).toFixed(2)}× raw`],
      ['leak guard, first scan (dev start)', `${firstScanMs.toFixed(0)} ms`, rebuild.firstScans.map((s) => s.detail.replace(/^.*\((.*)\)$/, '$1')).join('; ')],
      ['leak guard, later iteration (median)', `${laterScanMs.toFixed(0)} ms`, `${(laterShare * 100).toFixed(0)} % of the iteration; ${rebuild.laterScans[0]?.detail.replace(/^.*\((.*)\)$/, '$1') ?? 'no scan'}`],
      ['leak guard on a later iteration of the default (sync) loop', `${hot.laterScans.length} scans`, 'no image is built'],
    ],
    metrics: {
      nodePackages: packages,
      nodeRawBaselineP50Ms: rawP50,
      nodeDevSyncP50Ms: hotP50,
      nodeDevRebuildP50Ms: rebuildP50,
      nodeComposeWatchP50Ms: cwP50,
      nodeDevSyncVsRawRatio: Number((hotP50 / rawP50).toFixed(3)),
      nodeDevRebuildVsRawRatio: Number((rebuildP50 / rawP50).toFixed(3)),
      nodeComposeWatchVsRawRatio: Number((cwP50 / rawP50).toFixed(3)),
      leakGuardFirstMs: firstScanMs,
      leakGuardLaterMs: laterScanMs,
      leakGuardLaterShareOfIteration: Number(laterShare.toFixed(3)),
      nodeRawBaselineSamplesMs: raw.join(' '),
      nodeDevSyncSamplesMs: hot.samples.join(' '),
      nodeDevRebuildSamplesMs: rebuild.samples.join(' '),
      nodeComposeWatchSamplesMs: cw.join(' '),
      leakGuardLaterSamplesMs: rebuild.laterScans.map((s) => s.ms).join(' '),
      leakGuardSyncLoopScans: hot.laterScans.length,
    },
  };
}
