/**
 * Every fault a user can hit with the stack commands, through the CLI, on the real engine and
 * Compose: compose missing, engine stopped, a port in use, a service never healthy (its logs
 * redacted), a secret leaking into an image, a build context holding a secrets file. The faults
 * found before any engine is needed (config, secrets) are in test/unit/spec/stack/cli-errors.test.ts.
 */
import type { Server } from 'node:net';
import { DockerImageStore } from '../../src/docker/images.js';
import { runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { tempProject } from '../helpers/tmp.js';
import { ensureBusybox, freePort, leftovers, occupy } from './stack-support.js';

const { test, docker } = await dockerTest();
const run = `f${process.pid}`;
const dirs: string[] = [];
const servers: Server[] = [];

test.before(async () => {
  await ensureBusybox(docker);
});

test.after.always(async () => {
  for (const dir of dirs) await runCli(['-C', dir, 'down', '--volumes']);
  for (const server of servers) server.close();
  const images = new DockerImageStore(docker);
  for (const image of await images.list({ 'devpipe.project': `${run}-leak` })) await images.remove(image.id, { force: true });
});

async function project(name: string, devpipe: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = await tempProject({ '.pipeline/devpipe.yaml': `version: v1\nproject: ${run}-${name}\n${devpipe}`, ...extra });
  dirs.push(dir);
  return dir;
}

const pinned = (port: number) => `services:
  web:
    image: busybox:stable
    command: [/bin/busybox, httpd, -f, -p, "8080", -h, /tmp]
    ports: ["${port}:8080"]
`;

test('compose missing: exit 3 with the fix (PATH without docker or docker-compose)', async (t) => {
  const dir = await project('nocompose', pinned(await freePort()));
  const { exitCode, stderr } = await runCli(['-C', dir, 'up'], { env: { PATH: '/nonexistent' } });
  t.is(exitCode, 3);
  t.regex(stderr, /error: Docker Compose is not installed: neither `docker compose` \(v2\) nor `docker-compose` \(v1\) runs/);
  t.regex(stderr, /hint: install the Compose v2 plugin/);
});

test('engine stopped: exit 3 naming how it was looked for', async (t) => {
  const dir = await project('noengine', pinned(await freePort()));
  const { exitCode, stderr } = await runCli(['-C', dir, 'up'], { env: { DOCKER_HOST: 'unix:///tmp/devpipe-no-engine.sock' } });
  t.is(exitCode, 3);
  t.regex(stderr, /error: cannot reach the Docker engine/);
  t.regex(stderr, /DOCKER_HOST=unix:\/\/\/tmp\/devpipe-no-engine\.sock/);
  const status = await runCli(['-C', dir, 'status'], { env: { DOCKER_HOST: 'unix:///tmp/devpipe-no-engine.sock' } });
  t.is(status.exitCode, 3);
});

test('a port already in use: exit 3 naming the port, with the fix', async (t) => {
  const port = await freePort();
  servers.push(await occupy(port));
  const dir = await project('port', pinned(port));
  const { exitCode, stderr } = await runCli(['-C', dir, 'up']);
  t.is(exitCode, 3, stderr);
  t.regex(stderr, new RegExp(`error: host port ${port} is already in use`));
  t.regex(stderr, new RegExp(`hint: stop whatever listens on port ${port}`));
  await runCli(['-C', dir, 'down']);
  t.deepEqual(await leftovers(docker, `${run}-port`), []);
});

test('a service that never gets healthy: exit 1 naming it, with its last log lines, secrets redacted', async (t) => {
  const dir = await project(
    'stuck',
    `settings: { health_timeout: 8s }
services:
  stuck:
    image: busybox:stable
    command: [/bin/busybox, sh, -c, "echo booting with token $(cat /run/secrets/tok); exec /bin/busybox sleep 3600"]
    secrets: [tok]
    healthcheck: { command: [/bin/busybox, "false"], interval: 200ms, retries: 1000 }
secrets:
  tok: fake-stuck-token-value
`,
  );
  const { exitCode, stdout, stderr } = await runCli(['-C', dir, 'up']);
  t.is(exitCode, 1, stderr);
  t.regex(stderr, /error: service "stuck" did not become healthy within 8s \(state: running, health: (starting|unhealthy)\)/);
  t.regex(stderr, /last log lines of stuck:\n.*booting with token \[secret:tok\]/);
  t.regex(stderr, /hint: see `devpipe logs stuck`/);
  t.false(`${stdout}${stderr}`.includes('fake-stuck-token-value'));
  const logs = await runCli(['-C', dir, 'logs', 'stuck']);
  t.regex(logs.stdout, /booting with token \[secret:tok\]/);
  t.false(logs.stdout.includes('fake-stuck-token-value'));
});

test('a dependency that never gets healthy: health_timeout bounds Compose\'s own wait; the dependency is named', async (t) => {
  const dir = await project(
    'dep',
    `settings: { health_timeout: 3s }
services:
  db:
    image: busybox:stable
    command: [/bin/busybox, sh, -c, "echo db never ready; exec /bin/busybox sleep 3600"]
    healthcheck: { command: [/bin/busybox, "false"], interval: 200ms, retries: 1000 }
  web:
    image: busybox:stable
    command: [/bin/busybox, sleep, "3600"]
    depends_on: [db]
`,
  );
  const started = Date.now();
  const { exitCode, stderr } = await runCli(['-C', dir, 'up']);
  t.is(exitCode, 1, stderr);
  t.regex(stderr, /error: service "db" did not become healthy within 3s/);
  t.regex(stderr, /db never ready/);
  t.true(Date.now() - started < 30_000, 'does not wait for Compose to give up');
});

const leakBlubber = `version: v4
base: debian:bookworm-slim
variants:
  production:
    copies: [{ from: local, source: ./config, destination: /srv/config }]
    entrypoint: [/bin/sleep, "3600"]
`;

test('the leak guard: an image holding a secret value fails the up, naming secret, layer and path', async (t) => {
  const dir = await project('leak', `services:\n  app: { build: production, secrets: [tok] }\nsecrets:\n  tok: fake-leaky-value-123\n`, {
    '.pipeline/blubber.yaml': leakBlubber,
    'config/app.env': 'TOKEN=fake-leaky-value-123\n',
  });
  const { exitCode, stderr } = await runCli(['-C', dir, 'up']);
  t.is(exitCode, 1, stderr);
  t.regex(stderr, /error: image .*-leak:production-[0-9a-f]{12} contains the value of secret "tok"/);
  t.regex(stderr, /secret "tok" in layer \d+\/\d+ \(sha256:[0-9a-f]{12}\) at \/srv\/config\/app\.env/);
  t.false(stderr.includes('fake-leaky-value-123'));
  t.deepEqual(await leftovers(docker, `${run}-leak`), [], 'nothing was deployed');
  const check = await runCli(['-C', dir, 'secrets', 'check']);
  t.is(check.exitCode, 1);
  t.regex(check.stderr, /contains the value of secret "tok"/);
});

test('a build context holding a secrets file is refused before building (exit 2)', async (t) => {
  const dir = await project('ctx', `services:\n  app: { build: production, secrets: [tok] }\nsecrets:\n  tok: fake-ctx-value-123\n`, {
    '.pipeline/blubber.yaml': leakBlubber.replace('./config', '.'),
    'my-secrets.yaml': 'tok: other-value-456\n',
  });
  const { exitCode, stderr } = await runCli(['-C', dir, 'up', '--secrets', 'my-secrets.yaml']);
  t.is(exitCode, 2, stderr);
  t.regex(stderr, /error: refusing to build production: its build context would contain secret files/);
  t.notRegex(stderr, /\.devpipe\/secrets\/tok/, '.devpipe/ is never part of a build context');
  t.regex(stderr, /my-secrets\.yaml/);
  t.regex(stderr, /hint: add your --secrets file to \.dockerignore/);
});
