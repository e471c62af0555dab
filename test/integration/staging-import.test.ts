/**
 * Issue #18 end to end on the real engine: import a two-service staging copy from a
 * deployment-charts-shaped checkout (fixtures/staging-import: greeter built here, quotes pinned
 * and reached through the mesh listener localhost:6018, a secret inside greeter's rendered
 * config file), then up → e2e → down. The dependency answers at the listener address, the secret
 * lands in the mounted file and nowhere else.
 */
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { DockerImageStore } from '../../src/docker/images.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { ensureBusybox, leftovers } from './stack-support.js';

const { test, docker } = await dockerTest();
const quotesRef = 'devpipe-fixture.invalid/repos/devpipe/quotes:2026-01-02-090000-production';
let root = '';
let dir = '';
let project = '';
let env: NodeJS.ProcessEnv = {};

test.before(async () => {
  await ensureBusybox(docker);
  root = await mkdtemp(path.join(tmpdir(), 'devpipe-import-'));
  await cp(path.join(repoRoot, 'fixtures/staging-import'), root, { recursive: true, filter: (src) => !src.includes(`${path.sep}.devpipe`) });
  project = `greeter-it${process.pid}`;
  dir = path.join(root, project);
  await cp(path.join(root, 'project'), dir, { recursive: true });
  env = { ...process.env, XDG_CONFIG_HOME: path.join(root, 'config') };
  // The image staging pins for quotes, built here from busybox:stable (no registry).
  await execa('docker', ['build', '-q', '-t', quotesRef, '--label', `devpipe.project=${project}`, path.join(root, 'quotes-image')]);
});

test.after.always(async () => {
  if (dir) await runCli(['-C', dir, 'down', '--volumes', '--images'], { env });
  await docker.getImage(quotesRef).remove({ force: true }).catch(() => undefined);
  const images = new DockerImageStore(docker);
  for (const image of await images.list({ 'devpipe.project': project })) await images.remove(image.id, { force: true });
  if (root) await rm(root, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(['-C', dir, ...args], { env });

test.serial('import-staging writes devpipe.yaml; the fake secret is stored outside the repository', async (t) => {
  const result = await cli('import-staging', 'greeter', '--charts', '../charts', '--no-publish');
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /greeter +built here \(production\)/);
  t.regex(result.stdout, /quotes +pinned devpipe-fixture\.invalid\/repos\/devpipe\/quotes:2026-01-02-090000-production/);
  t.regex(result.stdout, /listener weather: localhost:6500 → stub/);
  const text = await readFile(path.join(dir, '.pipeline/devpipe.yaml'), 'utf8');
  const doc = parse(text) as { services: Record<string, Record<string, unknown>>; secrets: Record<string, unknown> };
  t.deepEqual(Object.keys(doc.services), ['greeter', 'quotes']);
  t.deepEqual(doc.services.greeter?.listeners, { quotes: { port: 6018, to: 'quotes:1969' }, weather: { port: 6500, stub: 'weather.discovery.wmnet is not in this checkout' } });
  t.regex(text, /main_app\.version helmfile\.d\/services\/quotes\/values\.yaml:5/, 'comments say where values came from');
  const store = await readFile(path.join(root, 'config/devpipe/secrets', `${project}.yaml`), 'utf8');
  const fake = (parse(store) as Record<string, string>)['greeter.main_app.auth.password'] ?? '';
  t.regex(fake, /^fake-[0-9a-f]{36}$/);
  t.false(text.includes(fake), 'the fake value is not in the repository');
  const files = doc.services.greeter?.files as { path: string; content: string; secrets: Record<string, string> }[];
  t.deepEqual(files.map((f) => [f.path, f.secrets]), [['/etc/greeter/config.yaml', { 'auth.password': 'greeter.main_app.auth.password' }]]);
  t.false(files[0]?.content.includes('snakeoil'), "the chart's placeholder is not the local value");
});

test.serial('up runs the copy: the built service, the pinned dependency in a pod with the sidecar, healthy over HTTP', async (t) => {
  const up = await cli('up');
  t.is(up.exitCode, 0, up.stderr);
  t.regex(up.stdout, /greeter .*\(built\)/);
  t.regex(up.stdout, new RegExp(`quotes .*${quotesRef.replaceAll('.', '\\.')} \\(pinned\\)`));
  const names = (await docker.listContainers({ filters: JSON.stringify({ label: [`devpipe.project=${project}`] }) })).map((c) => c.Names[0]);
  for (const expected of ['greeter.pod', 'greeter.mesh', 'quotes.pod', 'quotes.mesh']) t.true(names.some((n) => n?.includes(expected)), `${expected} runs`);
  // The dependency answers at the listener address, inside greeter's network namespace.
  const greeter = (await docker.listContainers({ filters: JSON.stringify({ label: [`devpipe.project=${project}`, 'devpipe.service=greeter'] }) }))[0];
  t.truthy(greeter);
  const exec = await execa('docker', ['exec', greeter?.Id ?? '', '/usr/local/bin/busybox', 'wget', '-q', '-O', '-', 'http://localhost:6018/quote.txt']);
  t.regex(exec.stdout, /the dependency answers at the listener address/);
  const stub = await execa('docker', ['exec', greeter?.Id ?? '', '/usr/local/bin/busybox', 'wget', '-q', '-O', '-', 'http://localhost:6500/anything'], { reject: false });
  t.not(stub.exitCode, 0, 'the stub answers 404');
  const all = `${up.stdout}${up.stderr}`;
  const store = parse(await readFile(path.join(root, 'config/devpipe/secrets', `${project}.yaml`), 'utf8')) as Record<string, string>;
  t.false(all.includes(store['greeter.main_app.auth.password'] ?? 'x'));
  const compose = await readFile(path.join(dir, '.devpipe/stack/compose.yaml'), 'utf8');
  t.false(compose.includes(store['greeter.main_app.auth.password'] ?? 'x'), 'the compose file names the file, never the value');
});

test.serial('e2e (added by hand to the imported file) sees the dependency and the secret in the config file', async (t) => {
  const file = path.join(dir, '.pipeline/devpipe.yaml');
  const suite = [
    'e2e:',
    '  image: busybox:stable',
    '  command: [/bin/sh, -c]',
    '  args:',
    '    - |',
    '      set -e',
    '      wget -q -O - http://greeter:8080/cgi-bin/quote | grep "the dependency answers at the listener address"',
    '      want=$(printf %s "$(cat /run/secrets/greeter.main_app.auth.password)" | sha256sum | cut -d" " -f1)',
    '      got=$(wget -q -O - http://greeter:8080/cgi-bin/password-sha)',
    '      [ "$want" = "$got" ] && echo "ok - the secret is inside the mounted config file"',
    '  secrets: [greeter.main_app.auth.password]',
    '  timeout: 1m',
    '',
  ].join('\n');
  await writeFile(file, `${await readFile(file, 'utf8')}${suite}`);
  const e2e = await cli('e2e');
  t.is(e2e.exitCode, 0, `${e2e.stdout}\n${e2e.stderr}`);
  t.regex(e2e.stderr, /ok - the secret is inside the mounted config file/);
  const store = parse(await readFile(path.join(root, 'config/devpipe/secrets', `${project}.yaml`), 'utf8')) as Record<string, string>;
  const fake = store['greeter.main_app.auth.password'] ?? '';
  t.false(`${e2e.stdout}${e2e.stderr}`.includes(fake));
  const mounted = await readFile(path.join(dir, '.devpipe/secrets/files/greeter/0-config.yaml'), 'utf8');
  t.is(createHash('sha256').update(fake).digest('hex').length, 64);
  t.regex(mounted, new RegExp(`password: ${fake}`));
});

test.serial('a re-import keeps the local edit and shows the diff', async (t) => {
  const again = await cli('import-staging', 'greeter', '--charts', '../charts', '--no-publish');
  t.is(again.exitCode, 0, again.stderr);
  t.regex(again.stdout, /has local edits since the last import: not overwritten/);
  t.regex(again.stdout, /^-e2e:$/m);
  t.regex(await readFile(path.join(dir, '.pipeline/devpipe.yaml'), 'utf8'), /^e2e:$/m);
});

test.serial('down removes everything devpipe created, sidecars and pods included', async (t) => {
  const down = await cli('down', '--volumes');
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await leftovers(docker, project), []);
});
