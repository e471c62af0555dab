/**
 * `devpipe build` on the real engine: each variant of test/fixtures/blubber-build is built and its
 * image inspected (files and owners, users, env, workdir, entrypoint, CMD, labels) and run.
 */
import { mkdtemp, readFile, readdir, cp, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerContainerCopier } from '../../src/docker/container-copy.js';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { repositoryName } from '../../src/engine/build.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { tempProject } from '../helpers/tmp.js';

const { test, docker } = await dockerTest();
const images = new DockerImageStore(docker);
const containers = new DockerContainerRunner(docker);
const copier = new DockerContainerCopier(docker);
const variants = ['app', 'excluding', 'including', 'insecure', 'builders', 'final', 'apt'];
let project = '';
let buildOutput = '';
/** Content-addressed tag of each variant, from the build's --json result. */
const built = new Map<string, string>();

async function buildJson(args: string[]): Promise<{ exitCode: number; images: { variant: string; contentTag: string; imageId: string }[]; output: string }> {
  const result = await runCli(['--json', '-C', project, 'build', ...args]);
  const events = result.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; command?: string; data?: { images: { variant: string; contentTag: string; imageId: string }[] } });
  const summary = events.find((e) => e.type === 'result' && e.command === 'build');
  return { exitCode: result.exitCode, images: summary?.data?.images ?? [], output: result.stdout + result.stderr };
}

test.before(async () => {
  // A private copy, so the project name (and so the tags) are this run's own.
  const dir = await mkdtemp(path.join(tmpdir(), 'blubber-build-'));
  await cp(path.join(repoRoot, 'test/fixtures/blubber-build'), dir, { recursive: true });
  project = dir;
  const human = await runCli(['-C', dir, 'build', ...variants]);
  buildOutput = human.stdout + human.stderr;
  if (human.exitCode !== 0) throw new Error(`build failed (${human.exitCode}):\n${buildOutput}`);
  const json = await buildJson(variants);
  for (const image of json.images) built.set(image.variant, image.contentTag);
});

test.after.always(async () => {
  if (!project) return;
  const labels = { 'devpipe.project': path.basename(project) };
  for (const c of await containers.list(labels)) await containers.remove(c.id);
  for (const image of await images.list(labels)) await images.remove(image.id, { force: true });
});

const ref = (variant: string) => built.get(variant) ?? `${repositoryName(path.basename(project))}:${variant}`;

async function sh(variant: string, script: string): Promise<string> {
  const lines: string[] = [];
  const result = await containers.run({
    image: ref(variant),
    entrypoint: ['sh', '-c'],
    command: [script],
    labels: { 'devpipe.project': path.basename(project) },
    onOutput: (line) => lines.push(line),
  });
  await containers.remove(result.containerId);
  if (result.exitCode !== 0) throw new Error(`${script} exited ${result.exitCode}: ${lines.join('\n')}`);
  return lines.join('\n');
}

test('the summary names every image with its content-addressed tag', (t) => {
  for (const variant of variants) {
    t.regex(buildOutput, new RegExp(`${variant}\\s+${repositoryName(path.basename(project))}:${variant}-[0-9a-f]{12}`));
    t.regex(ref(variant), /-[0-9a-f]{12}$/, 'the --json result carries the same tags');
  }
});

test('copies local: files owned by the lives user, .dockerignore honoured, nothing generated leaks in', async (t) => {
  const info = await images.inspect(ref('app'));
  t.is(info?.user, '900');
  t.is(info?.workingDir, '/srv/app');
  t.true(info?.env.includes('APP_MODE=test'));
  t.true(info?.env.includes('HOME=/home/runuser'));
  t.deepEqual(info?.entrypoint, ['sh', '-c', 'cat greeting.txt']);
  t.is(info?.cmd, null, 'CMD inherited from the base is cleared');
  t.like(info?.labels, { 'blubber.variant': 'app', 'devpipe.variant': 'app', 'devpipe.managed-by': 'devpipe' });
  t.is(await sh('app', 'stat -c "%U:%G %u" greeting.txt'), 'somebody:somebody 65533');
  t.is(await sh('app', 'ls -A /srv/app | sort | tr "\\n" " "'), '.dockerignore .pipeline README.md greeting.txt src ');
  t.is(await sh('app', 'id -un'), 'runuser');
  const run = await containers.run({ image: ref('app'), labels: { 'devpipe.project': path.basename(project) } , onOutput: () => undefined });
  t.is(run.exitCode, 0);
  t.deepEqual(run.tail, ['hello from the fixture']);
  await containers.remove(run.containerId);
});

test('render --ci prints a Dockerfile that `docker build` builds on the repository as it is (the docker CLI, classic builder)', async (t) => {
  const rendered = await runCli(['-C', project, 'render', '--ci', 'app']);
  t.is(rendered.exitCode, 0, rendered.stderr);
  t.false(rendered.stdout.includes('.devpipe-context'), 'local paths as written');
  const dockerfile = path.join(await mkdtemp(path.join(tmpdir(), 'render-ci-')), 'Dockerfile');
  await writeFile(dockerfile, rendered.stdout);
  const tag = `${repositoryName(path.basename(project))}:render-ci`;
  const built = await execa('docker', ['build', '-q', '-f', dockerfile, '--target', 'app', '--label', `devpipe.project=${path.basename(project)}`, '-t', tag, project], { env: { DOCKER_BUILDKIT: '0' }, reject: false });
  t.is(built.exitCode, 0, built.stderr);
  const run = await containers.run({ image: tag, labels: { 'devpipe.project': path.basename(project) }, onOutput: () => undefined });
  await containers.remove(run.containerId);
  t.is(run.exitCode, 0);
  t.deepEqual(run.tail, ['hello from the fixture']);
  const info = await images.inspect(tag);
  t.is(info?.user, '900');
  t.like(info?.labels, { 'blubber.variant': 'app' });
});

test('exclude on a local copy drops the excluded files only', async (t) => {
  t.is(await sh('excluding', 'find /srv/app/src | sort | tr "\\n" " "'), '/srv/app/src /srv/app/src/main.txt ');
});

test('includes, custom lives and runs (users, ids, runs.in, merged environment)', async (t) => {
  const info = await images.inspect(ref('including'));
  t.is(info?.user, '4321');
  t.is(info?.workingDir, '/opt/shared-app/src', 'runs.in is the runtime working directory');
  t.true(info?.env.includes('SHARED=yes'));
  t.true(info?.env.includes('APP_MODE=test'));
  t.is(await sh('including', 'stat -c "%U:%G %u:%g" /opt/shared-app/greeting.txt'), 'app:app 1234:1235');
  t.is(await sh('including', 'id -un; id -u'), 'svc\n4321');
});

test('runs.insecurely keeps the lives user at runtime; copies are still owned by it', async (t) => {
  const info = await images.inspect(ref('insecure'));
  t.is(info?.user, '65533');
  t.is(await sh('insecure', 'id -un; stat -c "%U" greeting.txt'), 'somebody\nsomebody');
});

test('custom builders: list command, string command with an argument, quotes, a multi-line command, script (not left in the image)', async (t) => {
  t.is(await sh('builders', 'cat built-list.txt built-string.txt built-script.txt'), 'list\nstring hello\nscript\nsomebody');
  t.is(await sh('builders', 'ls /tmp | grep -c devpipe-script || true'), '0');
  // Quotes in a list command (Blubber's quoted arguments) and a multi-line string command (exec form of sh -c).
  t.is(await sh('builders', 'cat built-quotes.txt built-lines.txt'), 'a "quoted" word|hello\nline one\nline "two"');
});

test('arguments: --build-arg overrides the declared default and gives another tag', async (t) => {
  const extra = `${repositoryName(path.basename(project))}:builders-bonjour`;
  const result = await buildJson(['builders', '--build-arg', 'GREETING=bonjour', '--tag', extra]);
  t.is(result.exitCode, 0, result.output);
  const [bonjour] = result.images;
  t.not(bonjour?.contentTag, ref('builders'));
  t.not(bonjour?.imageId, (await images.inspect(ref('builders')))?.id);
  t.is((await images.inspect(extra))?.id, bonjour?.imageId);
  built.set('builders-bonjour', extra);
  t.is(await sh('builders-bonjour', 'cat built-string.txt'), 'string bonjour');
});

test('a scratch variant copying from a build variant holds only that file', async (t) => {
  const info = await images.inspect(ref('final'));
  t.deepEqual(info?.entrypoint, ['/app/greeting']);
  t.is(info?.user, '');
  t.like(info?.labels, { 'blubber.variant': 'final' });
  const container = await docker.createContainer({ Image: ref('final'), Labels: { 'devpipe.project': path.basename(project) } });
  const out = await mkdtemp(path.join(tmpdir(), 'scratch-'));
  try {
    await copier.copy(container.id, '/app', path.join(out, 'app'));
    t.deepEqual(await readdir(path.join(out, 'app')), ['greeting']);
    t.is(await readFile(path.join(out, 'app', 'greeting'), 'utf8'), 'hello from the fixture\n');
  } finally {
    await containers.remove(container.id);
  }
});

test('apt packages are installed', async (t) => {
  t.regex(await sh('apt', 'jq --version'), /^jq-1\./);
});

test('an unchanged variant is reused without a build', async (t) => {
  const before = (await images.inspect(ref('app')))?.id;
  const result = await runCli(['-C', project, 'build', 'app']);
  t.is(result.exitCode, 0);
  t.regex(result.stdout, /unchanged, reused/);
  t.is((await images.inspect(ref('app')))?.id, before);
});

test('a validation error exits 2 with file:line:col and key path, and builds nothing', async (t) => {
  const dir = await tempProject({
    '.pipeline/blubber.yaml': 'version: v4\nvariants:\n  test:\n    base: debian:bookworm-slim\n    copies: [local]\n    entrypont: [sh]\n',
  });
  const result = await runCli(['-C', dir, 'build', 'test']);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /\.pipeline\/blubber\.yaml:6:5 variants\.test\.entrypont: unknown key "entrypont" \(hint: did you mean "entrypoint"\?\)/);
  t.deepEqual(await images.list({ 'devpipe.project': path.basename(dir) }), []);
});

test('an unknown variant is a located error (exit 2)', async (t) => {
  const result = await runCli(['-C', project, 'build', 'nosuch']);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /nosuch/);
});
