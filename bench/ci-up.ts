/**
 * Whole-command benchmarks, each side by side with what a developer would run without devpipe:
 * - `devpipe ci` green twice in a row on fixtures/node-service (the second run reuses the
 *   content-addressed images the first one kept as cache, and the green unit-test run it recorded);
 * - `devpipe up` of fixtures/staging-copy from nothing (no project image, no container) vs
 *   `docker compose up --build --wait` of an equivalent compose file (same Dockerfile, same
 *   services, health checks and secret).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { NODE_BASE, nodeStandIn, settingsFile } from '../test/helpers/base-images.js';
import { freePort } from '../test/helpers/dev-session.js';
import type { BenchSection } from './stats.js';

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function projectImages(project: string): string[] {
  return execFileSync('docker', ['images', '-q', '--filter', `label=devpipe.project=${project}`]).toString().split('\n').filter(Boolean);
}

export async function ciBench(root: string): Promise<BenchSection> {
  const bin = path.join(root, 'bin', 'devpipe.js');
  const standIn = await nodeStandIn(new Docker());
  const env = { ...process.env, CI: 'true', DEVPIPE_SETTINGS: await settingsFile({ [NODE_BASE]: standIn }) };
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'bench-ci-')), `bench-ci-${process.pid}`);
  cpSync(path.join(root, 'fixtures', 'node-service'), dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { stdio: 'ignore' });
  git('init', '-q');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'add', '-A');
  git('-c', 'user.name=bench', '-c', 'user.email=bench@localhost', 'commit', '-qm', 'bench');
  let output = '';
  const run = () => (output = execFileSync(process.execPath, [bin, '-C', dir, 'ci'], { stdio: 'pipe', env }).toString());
  try {
    const first = timed(run);
    const kept = projectImages(path.basename(dir)).length;
    const second = timed(run);
    const cached = (output.match(/passed \(cached\)/g) ?? []).length;
    return {
      name: 'devpipe ci, green twice in a row (fixtures/node-service: unit tests, then the production candidate)',
      rows: [
        ['first run', `${first.toFixed(0)} ms`, '1.00×'],
        ['second run, same inputs', `${second.toFixed(0)} ms`, `${(second / first).toFixed(2)}× the first (${kept} images kept as cache; ${cached} stage(s) passed (cached))`],
      ],
      metrics: { ciFirstMs: first, ciSecondMs: second, ciSecondVsFirstRatio: Number((second / first).toFixed(3)), ciCachedImages: kept, ciCachedStages: cached },
    };
  } finally {
    // What the bench created: the project's images (ci's cache included), by label.
    const left = projectImages(path.basename(dir));
    if (left.length) execFileSync('docker', ['rmi', '-f', ...new Set(left)], { stdio: 'ignore' });
  }
}

/** The compose file a developer would write for fixtures/staging-copy (no devpipe). */
function composeFile(port: number): string {
  return `services:
  api:
    build: {context: ., dockerfile: Dockerfile}
    secrets: [api_token]
    environment: {GREETING: hello from staging-copy}
    healthcheck:
      test: [CMD, /usr/local/bin/busybox, wget, -q, -O, /dev/null, "http://127.0.0.1:8080/cgi-bin/health"]
      interval: 500ms
      retries: 20
  gateway:
    image: busybox:stable
    command: [/bin/busybox, httpd, -f, -v, -p, "8080", -h, /srv/gateway]
    volumes: ["./gateway:/srv/gateway:ro"]
    environment: {UPSTREAM: "http://api:8080"}
    ports: ["${port}:8080"]
    depends_on: {api: {condition: service_healthy}}
    healthcheck:
      test: [CMD, /bin/busybox, wget, -q, -O, /dev/null, "http://127.0.0.1:8080/index.html"]
      interval: 500ms
      retries: 20
secrets:
  api_token: {file: ./api_token}
`;
}

export async function upBench(root: string): Promise<BenchSection> {
  const bin = path.join(root, 'bin', 'devpipe.js');
  const port = await freePort();
  const project = `bench-up-${process.pid}`;
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'bench-up-')), project);
  cpSync(path.join(root, 'fixtures', 'staging-copy'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.devpipe`) });
  const stack = path.join(dir, '.pipeline', 'devpipe.yaml');
  writeFileSync(stack, readFileSync(stack, 'utf8').replace('project: staging-copy', `project: ${project}`).replace('"18080:8080"', `"${port}:8080"`));
  const devpipe = (...args: string[]) => execFileSync(process.execPath, [bin, '-C', dir, ...args], { stdio: 'pipe', env: { ...process.env, CI: 'true' } });
  const composeProject = `${project}-compose`;
  const compose = (...args: string[]) => execFileSync('docker', ['compose', '-p', composeProject, '-f', 'compose.yaml', ...args], { cwd: dir, stdio: 'pipe', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  writeFileSync(path.join(dir, 'Dockerfile'), devpipe('render', 'production').toString().replaceAll('.devpipe-context/local/', './'));
  writeFileSync(path.join(dir, 'api_token'), 'fake-token-for-local-staging\n');
  writeFileSync(path.join(dir, 'compose.yaml'), composeFile(port));
  try {
    let events = '';
    const ours = timed(() => (events = devpipe('--json', 'up').toString()));
    const scanMs = events
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as { type?: string; id?: string; durationMs?: number }];
        } catch {
          return [];
        }
      })
      .filter((e) => e.type === 'task:end' && String(e.id).startsWith('scan:'))
      .reduce((sum, e) => sum + (e.durationMs ?? 0), 0);
    devpipe('down', '--images');
    const theirs = timed(() => compose('up', '--build', '--wait', '-d'));
    return {
      name: 'up from nothing: fixtures/staging-copy (api built here + pinned gateway, health-checked, one secret)',
      rows: [
        ['docker compose up --build --wait (classic builder), equivalent compose file', `${theirs.toFixed(0)} ms`, '1.00×'],
        ['devpipe up (build, leak guard, deploy, wait healthy)', `${ours.toFixed(0)} ms`, `${(ours / theirs).toFixed(2)}× compose`],
        ['  of which the leak guard (first scan: one whole-image export)', `${scanMs.toFixed(0)} ms`, `${((scanMs / ours) * 100).toFixed(0)} % of devpipe up`],
      ],
      metrics: { upDevpipeMs: ours, upComposeMs: theirs, upDevpipeVsComposeRatio: Number((ours / theirs).toFixed(3)), upLeakGuardMs: scanMs },
    };
  } finally {
    try {
      devpipe('down', '--images');
    } catch {
      // already down
    }
    compose('down', '--rmi', 'local', '-t', '0', '--volumes');
  }
}
