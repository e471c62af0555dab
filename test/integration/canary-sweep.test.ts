/**
 * The canary sweep (issue 11): one project with a canary value for every secret kind (a file
 * secret, an env secret holding `$` and quotes, a multi-line secret, a ci credential), driven
 * through every command that prints or records (up, status, logs, e2e, dev --e2e, ci, ci --rerun,
 * secrets check, down; --json and --verbose variants; failure paths with a crashing service and a
 * failing stage). Then: no canary in any stdout/stderr byte, in any file under .devpipe/ except
 * the secret files themselves, in any image devpipe built (`docker save` bytes), nor in any
 * `docker inspect` of a container except the documented one (the env secret of the service that
 * asked for it, byte for byte).
 */
import { randomBytes } from 'node:crypto';
import { appendFile, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { DockerImageStore } from '../../src/docker/images.js';
import { binPath, runCli, type CliResult } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { ensureBusybox, freePort, leftovers, stagingCopy } from './stack-support.js';

const { test, docker } = await dockerTest();
const project = `canary-it${process.pid}`;
const tag = randomBytes(4).toString('hex');
const canary = {
  file: `canary-file-${tag}`,
  env: `canary-env-${tag}-$HOME-"dq"-'sq'-\\bs-\${X}`,
  multi: `-----BEGIN CANARY ${tag}-----\ncanary-line-one-${tag}\ncanary-line-two-${tag}\n-----END CANARY-----`,
  ci: `canary-ci-${tag}`,
};
/** What must never be seen: each value, and each line of the multi-line one. */
const needles = [canary.file, canary.env, canary.multi, `canary-line-one-${tag}`, `canary-line-two-${tag}`, canary.ci];
const env = { DEVPIPE_SECRET_MULTI_KEY: canary.multi, DEVPIPE_SECRET_CI_TOKEN: canary.ci, DEVPIPE_SECRET_API_TOKEN: canary.file };
let dir = '';
const outputs: { what: string; text: string }[] = [];

function leaks(text: string): string[] {
  return needles.filter((n) => text.includes(n));
}

async function cli(what: string, ...args: string[]): Promise<CliResult> {
  const result = await runCli(['-C', dir, ...args], { env });
  outputs.push({ what, text: result.stdout + result.stderr });
  return result;
}

const stackYaml = (port: number) => `version: v1
project: ${project}
services:
  api:
    build: production
    command: [/usr/local/bin/busybox, sh, -c, 'echo "api env: $CANARY_ENV"; echo "api file: $(cat /run/secrets/api_token)"; cat /run/secrets/multi_key; echo; exec /usr/local/bin/busybox httpd -f -v -p 8080 -h /srv/app/service/www']
    secrets: [api_token, multi_key, {name: env_canary, env: CANARY_ENV}]
    env:
      GREETING: hello from the canary
    healthcheck:
      command: [/usr/local/bin/busybox, wget, -q, -O, /dev/null, "http://127.0.0.1:8080/cgi-bin/health"]
      interval: 500ms
      retries: 20
  gateway:
    image: busybox:stable
    command: [/bin/busybox, httpd, -f, -v, -p, "8080", -h, /srv/gateway]
    volumes:
      - { host: ./gateway, path: /srv/gateway, read_only: true }
    env:
      UPSTREAM: http://api:8080
    ports: ["${port}:8080"]
    depends_on: [api]
    healthcheck:
      command: [/bin/busybox, wget, -q, -O, /dev/null, "http://127.0.0.1:8080/index.html"]
      interval: 500ms
      retries: 20
e2e:
  build: e2e
  env:
    GATEWAY_URL: http://gateway:8080
  secrets: [api_token, multi_key]
  timeout: 2m
secrets:
  api_token: {description: the token}
  multi_key: {description: a key}
  env_canary: {fake: ${JSON.stringify(canary.env)}}
profiles:
  crash:
    services:
      api:
        command: [/usr/local/bin/busybox, sh, -c, 'echo "crashing with $CANARY_ENV and $(cat /run/secrets/api_token)"; cat /run/secrets/multi_key; exit 3']
    settings:
      health_timeout: 20s
  e2e-fail:
    e2e:
      env:
        GATEWAY_URL: http://gateway:9
`;

const ciYaml = `pipelines:
  creds:
    blubberfile: blubber.yaml
    stages:
      - name: token
        build: token
        run:
          credentials:
            - id: ci_token
              name: CI_TOKEN
        exports:
          seen: '\${.output}'
  failing:
    blubberfile: blubber.yaml
    stages:
      - name: bad
        build: bad
        run:
          credentials:
            - id: ci_token
              name: CI_TOKEN
`;

test.before(async () => {
  await ensureBusybox(docker);
  const port = await freePort();
  dir = await stagingCopy(project, port);
  await writeFile(path.join(dir, '.pipeline/devpipe.yaml'), stackYaml(port));
  await writeFile(path.join(dir, '.pipeline/config.yaml'), ciYaml);
  await appendFile(
    path.join(dir, '.pipeline/blubber.yaml'),
    `  token:
    entrypoint: [sh, -c, 'echo "ci sees $CI_TOKEN"']
  bad:
    entrypoint: [sh, -c, 'echo "failing with $CI_TOKEN" >&2; exit 4']
`,
  );
  // The suite prints what it was given (a careless suite).
  const run = path.join(dir, 'e2e/run.sh');
  await writeFile(run, (await readFile(run, 'utf8')).replace('fail=0\n', 'fail=0\necho "suite token: $token"; cat /run/secrets/multi_key\n'));
});

test.after.always(async () => {
  if (dir) await runCli(['-C', dir, 'down', '--volumes'], { env });
  const images = new DockerImageStore(docker);
  for (const image of await images.list({ 'devpipe.project': project })) await images.remove(image.id, { force: true }).catch(() => undefined);
  for (const image of await images.list({ 'devpipe.project': path.basename(dir) })) await images.remove(image.id, { force: true }).catch(() => undefined);
});

test.serial('stack commands: up (plain, --json, --verbose), status, logs, e2e, secrets check', async (t) => {
  const up = await cli('up', 'up');
  t.is(up.exitCode, 0, up.stderr);
  t.is((await cli('up --json', '--json', 'up')).exitCode, 0);
  t.is((await cli('up --verbose', '--verbose', 'up')).exitCode, 0);
  t.is((await cli('status', 'status')).exitCode, 0);
  t.is((await cli('status --json', '--json', 'status')).exitCode, 0);
  const logs = await cli('logs', 'logs', 'api');
  t.is(logs.exitCode, 0);
  t.regex(logs.stdout, /api env: \[secret:env_canary\]/, 'the service printed it; devpipe redacted it');
  t.regex(logs.stdout, /\[secret:multi_key\]/);
  const e2e = await cli('e2e', 'e2e');
  t.is(e2e.exitCode, 0, e2e.stderr);
  t.regex(e2e.stderr, /suite token: \[secret:api_token\]/);
  t.is((await cli('e2e --json', '--json', 'e2e')).exitCode, 0);
  const failing = await cli('e2e failing', '--profile', 'e2e-fail', 'e2e');
  t.is(failing.exitCode, 1, failing.stderr);
  t.regex(failing.stderr, /saved under/);
  t.is((await cli('secrets check', 'secrets', 'check')).exitCode, 0);
  t.is((await cli('secrets check --json', '--json', 'secrets', 'check')).exitCode, 0);
});

test.serial('the env secret reaches the container byte for byte ($ and quotes), and only there', async (t) => {
  const listed = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`devpipe.project=${project}`] }) });
  t.true(listed.length >= 2);
  for (const c of listed) {
    const info = await docker.getContainer(c.Id).inspect();
    const text = JSON.stringify(info);
    const service = info.Config.Labels['com.docker.compose.service'] ?? info.Config.Labels['devpipe.service'];
    if (service === 'api') {
      t.true(info.Config.Env.includes(`CANARY_ENV=${canary.env}`), 'documented: an env secret is in the env of the service that asked for it');
      t.deepEqual(leaks(text.replace(JSON.stringify(`CANARY_ENV=${canary.env}`).slice(1, -1), '')), []);
    } else {
      t.deepEqual(leaks(text), [], `docker inspect ${c.Names[0]}`);
    }
  }
});

test.serial('dev --json --e2e: service logs, suite output and saved reports are redacted', async (t) => {
  const child = execa('node', [binPath, '--json', '-C', dir, 'dev', '--e2e', '--no-test'], { reject: false, env: { ...process.env, CI: 'true', ...env } });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const until = async (re: RegExp, ms: number) => {
    const end = Date.now() + ms;
    while (!re.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    return re.test(out);
  };
  try {
    t.true(await until(/watching/, 120_000), out.slice(-2000));
    await appendFile(path.join(dir, 'service/www/index.html'), '\n<!-- edit -->\n');
    t.true(await until(/"type":"dev:iteration"[^\n]*"phase":"end"/, 120_000), out.slice(-2000));
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    child.kill('SIGINT');
    await Promise.race([child, new Promise((r) => setTimeout(r, 20_000))]);
    child.kill('SIGKILL');
  }
  const result = await child;
  outputs.push({ what: 'dev --json --e2e', text: `${out}${String(result.stderr ?? '')}` });
  t.regex(out, /"type":"dev:log"/);
  t.regex(out, /suite token: \[secret:api_token\]|\[secret:/);
});

test.serial('failure path: a crashing service (up --profile crash, --verbose) prints its logs redacted', async (t) => {
  const crash = await cli('up --profile crash --verbose', '--verbose', '--profile', 'crash', 'up');
  t.is(crash.exitCode, 1, crash.stderr);
  t.is((await cli('up --profile crash --json', '--json', '--profile', 'crash', 'up')).exitCode, 1);
  t.is((await cli('down', 'down')).exitCode, 0);
});

test.serial('ci, ci --json, a failing ci and ci --rerun: output, events and run.json are redacted', async (t) => {
  const ok = await cli('ci creds', 'ci', 'creds');
  t.is(ok.exitCode, 0, ok.stderr);
  t.regex(ok.stderr, /ci sees (\*\*\*|\[secret:ci_token\])/);
  t.is((await cli('ci --json creds', '--json', 'ci', 'creds')).exitCode, 0);
  const bad = await cli('ci failing --verbose', '--verbose', 'ci', 'failing');
  t.is(bad.exitCode, 1);
  const rerun = await cli('ci --rerun', 'ci', '--rerun');
  t.is(rerun.exitCode, 1);
  t.is((await cli('ci --rerun --json', '--json', 'ci', '--rerun')).exitCode, 1);
});

test.serial('the sweep: no canary in any output, any file under .devpipe/ but the secret files, any image devpipe built', async (t) => {
  for (const o of outputs) t.deepEqual(leaks(o.text), [], `output of ${o.what}`);
  t.true(outputs.length >= 15);
  const walk = async (d: string): Promise<string[]> =>
    (await readdir(d, { withFileTypes: true })).flatMap((e) => [path.join(d, e.name)]).length === 0
      ? []
      : (await Promise.all((await readdir(d, { withFileTypes: true })).map((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)])))).flat();
  const state = path.join(dir, '.devpipe');
  t.is((await stat(state)).mode & 0o777, 0o700);
  const files = await walk(state);
  t.true(files.some((f) => f.endsWith('run.json')), 'ci records are there');
  t.true(files.some((f) => f.includes(`${path.sep}reports${path.sep}`)), 'saved reports are there');
  for (const file of files) {
    const relative = path.relative(dir, file);
    if (/^\.devpipe\/secrets\/(api_token|multi_key|env_canary)$/.test(relative)) continue;
    t.deepEqual(leaks(await readFile(file, 'utf8')), [], relative);
    const mode = (await stat(file)).mode & 0o777;
    t.true(mode === 0o600, `${relative} is ${mode.toString(8)}`);
  }
  const images = new DockerImageStore(docker);
  const built = [...(await images.list({ 'devpipe.project': project })), ...(await images.list({ 'devpipe.project': path.basename(dir) }))];
  t.true(built.length >= 2);
  for (const image of built) {
    const saved = await execa('docker', ['save', image.id], { encoding: 'buffer', maxBuffer: 1 << 30 });
    const bytes = Buffer.from(saved.stdout);
    t.deepEqual(needles.filter((n) => bytes.includes(Buffer.from(n))), [], `docker save ${image.tags[0] ?? image.id}`);
  }
  await runCli(['-C', dir, 'down'], { env });
  t.deepEqual(await leftovers(docker, project), []);
});
