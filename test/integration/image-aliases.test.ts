/**
 * The settings' `images:` aliases on the real engine, one repository through every path that
 * compiles or runs an image: a GitLab Kokkuri job, a PipelineLib stage, `build`, `render`,
 * `doctor` and `up` (a pinned service image with a tag and a digest). Without the aliases each
 * one stops with exit 3 naming the missing image before anything is built; with them each one
 * uses the local stand-in.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { stackName } from '../../src/spec/stack/index.js';
import { runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { tempProject } from '../helpers/tmp.js';
import { settingsFile } from '../helpers/base-images.js';

const { test, docker } = await dockerTest();
const containers = new DockerContainerRunner(docker);
const images = new DockerImageStore(docker);

const BASE = 'docker-registry.wikimedia.org/devpipe-alias-test-base:0.0.1';
const PINNED = `docker-registry.wikimedia.org/devpipe-alias-test-pinned:1.0@sha256:${'c'.repeat(64)}`;
let dir = '';
let project = '';
let emptySettings = '';
let aliasSettings = '';

const files: Record<string, string> = {
  '.pipeline/blubber.yaml': [
    'version: v4',
    `base: ${BASE}`,
    'runs: {insecurely: true}',
    'variants:',
    '  test:',
    '    entrypoint: [sh, -c, "echo from-the-test-variant"]',
    '  production:',
    '    copies: [local]',
    '    entrypoint: [sh, -c, "exec sleep 600"]',
    '',
  ].join('\n'),
  '.pipeline/config.yaml': ['pipelines:', '  test:', '    blubberfile: blubber.yaml', '    stages:', '      - name: test', ''].join('\n'),
  '.pipeline/devpipe.yaml': [
    'version: v1',
    'services:',
    '  web: {build: production}',
    `  cache: {image: "${PINNED}", command: [sh, -c, "exec sleep 600"]}`,
    '',
  ].join('\n'),
  '.gitlab-ci.yml': [
    'include:',
    "  - project: 'repos/releng/kokkuri'",
    "    file: 'includes/images.yaml'",
    'stages: [test]',
    'run-tests:',
    '  extends: .kokkuri:build-and-run-image',
    '  stage: test',
    '  variables:',
    '    BUILD_VARIANT: test',
    '',
  ].join('\n'),
  'hello.txt': 'hello\n',
};

test.before(async () => {
  dir = await tempProject(files, 'devpipe-aliases-');
  project = path.basename(dir);
  const git = (...args: string[]) => execa('git', args, { cwd: dir });
  await git('init', '-q', '-b', 'feature');
  await git('remote', 'add', 'origin', 'https://gitlab.wikimedia.org/repos/test/aliases.git');
  await git('add', '-A');
  await git('-c', 'user.email=ci@example.org', '-c', 'user.name=ci', 'commit', '-qm', 'fixture');
  emptySettings = path.join(dir, '..', `${project}-settings.yaml`);
  await writeFile(emptySettings, 'version: v1\n');
  aliasSettings = await settingsFile({ 'docker-registry.wikimedia.org/devpipe-alias-test-base': 'debian:bookworm-slim', 'docker-registry.wikimedia.org/devpipe-alias-test-pinned:1.0': 'busybox:stable' });
});

test.after.always(async () => {
  if (!dir) return;
  await runCli(['-C', dir, 'down'], { env: { DEVPIPE_SETTINGS: aliasSettings } }).catch(() => undefined);
  for (const name of [project, stackName(project)]) for (const c of await containers.list({ 'devpipe.project': name })) await containers.remove(c.id);
  for (const image of (await images.list({ 'devpipe.project': project })).reverse()) await images.remove(image.id, { force: true }).catch(() => undefined);
});

const projectImages = async () => (await images.list({ 'devpipe.project': project })).length;

test.serial('without aliases: GitLab ci, PipelineLib ci, build and up stop with exit 3 naming the missing image before anything is built', async (t) => {
  const env = { DEVPIPE_SETTINGS: emptySettings };
  const gitlab = await runCli(['-C', dir, 'ci', '--ci', 'gitlab'], { env });
  t.is(gitlab.exitCode, 3, gitlab.stdout + gitlab.stderr);
  t.true((gitlab.stdout + gitlab.stderr).includes(BASE), 'names the base image');
  t.regex(gitlab.stdout + gitlab.stderr, /job run-tests/);
  const plib = await runCli(['-C', dir, 'ci', 'test'], { env });
  t.is(plib.exitCode, 3, plib.stdout + plib.stderr);
  t.true((plib.stdout + plib.stderr).includes(BASE));
  const build = await runCli(['-C', dir, 'build', 'production'], { env });
  t.is(build.exitCode, 3, build.stdout + build.stderr);
  const up = await runCli(['-C', dir, 'up'], { env });
  t.is(up.exitCode, 3, up.stdout + up.stderr);
  t.true((up.stdout + up.stderr).includes(PINNED), 'names the pinned image');
  const doctor = await runCli(['-C', dir, 'doctor'], { env });
  t.is(doctor.exitCode, 3, doctor.stdout);
  t.is(doctor.stdout.split('map each to an image that exists here').length - 1, 1, `one fix for every missing image:\n${doctor.stdout}`);
  t.regex(doctor.stdout, new RegExp(`images:\\n\\s+${BASE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: <a local image`));
  t.is(await projectImages(), 0, 'nothing was built');
  t.is((await containers.list({ 'devpipe.project': stackName(project) })).length, 0, 'nothing was started');
});

test.serial('with aliases: render and doctor show the substitution; GitLab ci, PipelineLib ci and build build from the stand-in; up runs the pinned alias', async (t) => {
  const env = { DEVPIPE_SETTINGS: aliasSettings };
  const render = await runCli(['-C', dir, 'render', 'production'], { env });
  t.is(render.exitCode, 0, render.stderr);
  t.regex(render.stdout, /^FROM debian:bookworm-slim AS production$/m);
  t.true(render.stdout.includes(`base image ${BASE} is replaced by debian:bookworm-slim`));
  const ci = await runCli(['-C', dir, 'render', '--ci', 'production'], { env });
  t.true(ci.stdout.includes(`FROM ${BASE} AS production`), 'render --ci keeps the repository’s base');

  const doctor = await runCli(['-C', dir, 'doctor'], { env });
  t.true(doctor.stdout.includes(`${BASE} → debian:bookworm-slim (settings alias)`), doctor.stdout);
  t.true(doctor.stdout.includes(`${PINNED} → busybox:stable (settings alias); for service cache`), doctor.stdout);

  const gitlab = await runCli(['-C', dir, 'ci', '--ci', 'gitlab'], { env });
  t.is(gitlab.exitCode, 0, gitlab.stdout + gitlab.stderr);
  t.true((gitlab.stdout + gitlab.stderr).includes(`base image ${BASE} → debian:bookworm-slim`));
  t.regex(gitlab.stdout + gitlab.stderr, /from-the-test-variant/);
  const plib = await runCli(['-C', dir, 'ci', 'test'], { env });
  t.is(plib.exitCode, 0, plib.stdout + plib.stderr);
  t.regex(plib.stdout + plib.stderr, /from-the-test-variant/);
  // GitLab ci, PipelineLib ci and build compile the same Dockerfile: each reuses the others' image.
  const again = await runCli(['--json', '-C', dir, 'build', 'test'], { env });
  t.is(again.exitCode, 0, again.stderr);
  const built = again.stdout.split('\n').filter((l) => l.includes('"image:built"')).map((l) => JSON.parse(l) as { cached: boolean });
  t.true(built.length === 1 && built[0]!.cached, `build reused the image GitLab ci built: ${JSON.stringify(built)}`);

  const build = await runCli(['--json', '-C', dir, 'build', 'production'], { env });
  t.is(build.exitCode, 0, build.stdout + build.stderr);
  const result = build.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; data?: { images: { contentTag: string }[] } }).find((e) => e.type === 'result');
  const tag = result?.data?.images[0]?.contentTag ?? '';
  t.is((await images.inspect(tag))?.labels['devpipe.bases'], 'debian:bookworm-slim', 'built FROM the stand-in');

  const up = await runCli(['-C', dir, 'up'], { env });
  t.is(up.exitCode, 0, up.stdout + up.stderr);
  const running = await docker.listContainers({ filters: { label: [`devpipe.project=${stackName(project)}`, 'devpipe.service=cache'] } });
  t.true(running.length > 0 && running.every((c) => c.Image === 'busybox:stable'), JSON.stringify(running.map((c) => c.Image)));
  const down = await runCli(['-C', dir, 'down'], { env });
  t.is(down.exitCode, 0, down.stdout + down.stderr);
});
