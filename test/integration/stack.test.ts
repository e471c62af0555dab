/**
 * The demo end to end on the real engine and real Compose: up → e2e → status → logs → secrets
 * check → down, on a copy of fixtures/staging-copy; the fake secret's value is in no built image
 * and in no output; after down nothing devpipe created remains.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DockerImageScanner } from '../../src/docker/image-scan.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { ensureBusybox, freePort, leftovers, stagingCopy } from './stack-support.js';

const { test, docker } = await dockerTest();
const project = `staging-it${process.pid}`;
const secret = 'fake-token-for-local-staging';
let dir = '';
let port = 0;

test.before(async () => {
  await ensureBusybox(docker);
  port = await freePort();
  dir = await stagingCopy(project, port);
});

test.after.always(async () => {
  if (dir) await runCli(['-C', dir, 'down', '--volumes']);
  const images = new DockerImageStore(docker);
  for (const image of await images.list({ 'devpipe.project': project })) await images.remove(image.id, { force: true });
});

const cli = (...args: string[]) => runCli(['-C', dir, ...args]);

test.serial('up builds the service, deploys both, waits until healthy, prints URLs and images', async (t) => {
  const { exitCode, stdout, stderr } = await cli('up');
  t.is(exitCode, 0, stderr);
  t.regex(stdout, new RegExp(`${project} is up`));
  t.regex(stdout, new RegExp(`gateway +http://localhost:${port} +busybox:stable \\(pinned\\)`));
  t.regex(stdout, new RegExp(`api .*${project}:production-[0-9a-f]{12} \\(built\\)`));
  t.regex(stderr, /leak guard/);
  const page = await fetch(`http://localhost:${port}/index.html`);
  t.regex(await page.text(), /gateway/);
  const api = await fetch(`http://localhost:${port}/cgi-bin/api/whoami`, { headers: { authorization: `Bearer ${secret}` } });
  t.regex(await api.text(), /hello from staging-copy, authorized/);
  t.false(`${stdout}${stderr}`.includes(secret));
  const { readFile, stat } = await import('node:fs/promises');
  t.is((await stat(path.join(dir, '.devpipe/secrets'))).mode & 0o777, 0o700, 'only this user can reach the secret files');
  t.is(await readFile(path.join(dir, '.devpipe/secrets/api_token'), 'utf8'), secret);
  const composeFile = await readFile(path.join(dir, '.devpipe/stack/compose.yaml'), 'utf8');
  t.false(composeFile.includes(secret), 'the compose file names the secret file, never the value');
  t.regex(composeFile, /api_token:\n\s+file: .*\.devpipe\/secrets\/api_token/);
});

test.serial('e2e runs the suite on the stack network: exit 0, output streamed', async (t) => {
  const { exitCode, stdout, stderr } = await cli('e2e');
  t.is(exitCode, 0, stderr);
  t.regex(stderr, /e2e \| ok {3}- api answers through the gateway with the token/);
  t.regex(stdout, /e2e passed/);
  t.false(`${stdout}${stderr}`.includes(secret));
});

test.serial('status and logs find the services by label', async (t) => {
  const status = await cli('status');
  t.is(status.exitCode, 0);
  t.regex(status.stdout, /api +running +healthy/);
  t.regex(status.stdout, new RegExp(`gateway +running +healthy +http://localhost:${port}`));
  const logs = await cli('logs', 'api');
  t.is(logs.exitCode, 0, logs.stderr);
  t.regex(logs.stdout, /whoami: authorized caller/);
  const bad = await cli('logs', 'apii');
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /"apii" is not a service .*\nhint: did you mean "api"\?/);
});

test.serial('the secret value is in no image devpipe built (secrets check, and a direct scan)', async (t) => {
  const check = await cli('secrets', 'check');
  t.is(check.exitCode, 0, check.stderr);
  t.regex(check.stdout, /ok {4}.*production/);
  const images = new DockerImageStore(docker);
  const built = await images.list({ 'devpipe.project': project });
  t.true(built.length >= 2, 'production and e2e');
  const scanner = new DockerImageScanner(images);
  for (const image of built) t.deepEqual(await scanner.scan(image.id, [{ name: 'api_token', value: secret }]), []);
});

test.serial('down removes every container, network and volume devpipe created, and the secret files', async (t) => {
  const { exitCode, stdout, stderr } = await cli('down');
  t.is(exitCode, 0, stderr);
  t.regex(stdout, new RegExp(`${project} removed`));
  t.deepEqual(await leftovers(docker, project), []);
  const { existsSync } = await import('node:fs');
  t.false(existsSync(path.join(dir, '.devpipe/secrets')));
  const status = await cli('status');
  t.regex(status.stdout, /not running/);
  const images = await cli('down', '--images');
  t.is(images.exitCode, 0, images.stderr);
  t.regex(images.stdout, /removed \d+ image\(s\)/);
  t.deepEqual(await new DockerImageStore(docker).list({ 'devpipe.project': project }), []);
});

test.serial('a fresh up: no container of the project is created or started before the leak guard\'s verdict', async (t) => {
  // The verdict cache outlives down (it holds no value): removed here so the guard really reads the image.
  await rm(path.join(dir, '.devpipe/cache/leak-guard.json'), { force: true });
  const since = Math.floor(Date.now() / 1000) - 1;
  const { exitCode, stdout, stderr } = await cli('--json', 'up');
  t.is(exitCode, 0, stderr);
  const until = Math.ceil(Date.now() / 1000) + 1;
  const events = stdout.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as { type?: string; id?: string; time?: string; status?: string }];
    } catch {
      return [];
    }
  });
  const scanEnd = events.find((e) => e.type === 'task:end' && String(e.id).startsWith('scan:'));
  t.is(scanEnd?.status, 'ok', 'the leak guard read the image (a real export, not a cached verdict)');
  const verdictAt = Date.parse(String(scanEnd?.time));
  const stream = await docker.getEvents({ since, until, filters: JSON.stringify({ type: ['container'], label: [`devpipe.project=${project}`], event: ['create', 'start'] }) });
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString();
  const engine = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { Action: string; timeNano: number; Actor: { Attributes: Record<string, string> } });
  const before = engine.filter((e) => e.timeNano / 1e6 < verdictAt).map((e) => `${e.Action} ${e.Actor.Attributes.name} (${e.Actor.Attributes.image})`);
  t.deepEqual(before, [], 'nothing of the stack before the verdict, not even the pods');
  const afterBuilt = engine.filter((e) => e.Actor.Attributes.image?.startsWith(`${project}:production-`));
  t.deepEqual(afterBuilt.map((e) => e.Action), ['create', 'start'], 'the built image ran, once the verdict was in');
  t.true(afterBuilt.every((e) => e.timeNano / 1e6 >= verdictAt));
});
