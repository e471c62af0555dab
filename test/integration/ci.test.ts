/**
 * `devpipe ci` on the real engine with the fixture repo test/fixtures/ci-repo (Debian-based Blubber
 * variants that build offline in seconds): directory + default blubberfile, name-only stages,
 * `run: false`, a parallel frame, `tail` + `${stage.output}`, `$each`, copy feeding a later build,
 * publish tags, a failing stage with teardown (no containers left, by label) and its rerun.
 */
import { access, cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { gitFixture } from '../helpers/git-fixture.js';
import { tempProject } from '../helpers/tmp.js';

const { test, docker } = await dockerTest();
const containers = new DockerContainerRunner(docker);
const images = new DockerImageStore(docker);
const projects: string[] = [];

async function fixtureRepo(): Promise<string> {
  const dir = await gitFixture('test/fixtures/ci-repo', { remote: 'https://gerrit.wikimedia.org/r/mediawiki/services/ci-demo', prefix: 'devpipe-ci-' });
  projects.push(path.basename(dir));
  return dir;
}

test.after.always(async () => {
  for (const project of projects) {
    for (const c of await containers.list({ 'devpipe.project': project })) await containers.remove(c.id);
    for (const image of (await images.list({ 'devpipe.project': project })).reverse()) await images.remove(image.id, { force: true }).catch(() => undefined);
  }
});

async function leftContainers(dir: string): Promise<number> {
  return (await containers.list({ 'devpipe.project': path.basename(dir) })).length;
}

test.serial('pipeline test: directory + default blubberfile, a name-only stage, run: false, a parallel frame', async (t) => {
  const dir = await fixtureRepo();
  const result = await runCli(['-C', dir, 'ci', 'test']);
  t.is(result.exitCode, 0, result.stderr + result.stdout);
  t.regex(result.stderr, /unit \| unit: hello from service\//, 'built from service/ and run with the stage prefix');
  t.notRegex(result.stderr, /^lint \| lint never runs$/m, 'run: false builds only');
  t.regex(result.stdout, /pipeline test, run \S+, mode test: PASSED/);
  t.regex(result.stdout, /unit\s+passed\s+\S+\s+[0-9a-f]{12}/);
  t.regex(result.stdout, /lint\s+passed\s+\S+\s+[0-9a-f]{12}/);
  t.regex(result.stdout, /teardown: 1 container\(s\) and 0 image\(s\) removed; 2 image\(s\) kept as build cache/);
  t.is(await leftContainers(dir), 0);
  // A green run keeps its images as content-addressed cache: the same inputs build nothing.
  const again = await runCli(['--json', '-C', dir, 'ci', 'test']);
  t.is(again.exitCode, 0, again.stderr);
  const built = again.stdout.split('\n').filter((l) => l.includes('"image:built"')).map((l) => JSON.parse(l) as { cached: boolean });
  t.true(built.length >= 2 && built.every((b) => b.cached), 'the rerun reused every image');
  t.is(await readFile(path.join(dir, '.devpipe/.gitignore'), 'utf8'), '*\n');
  const status = await execa('git', ['status', '--porcelain'], { cwd: dir });
  t.is(status.stdout, '', '.devpipe/ is ignored');
});

test.serial('pipeline publish (gate mode): tail + ${stage.output}, $each, copy feeding a later build, publish tags, exports', async (t) => {
  const dir = await fixtureRepo();
  const result = await runCli(['-C', dir, 'ci', 'publish', '--mode', 'gate']);
  t.is(result.exitCode, 0, result.stderr + result.stdout);
  t.regex(result.stderr, /matrix \| matrix: node18 node20 node22/, '$each over the tail of versions');
  t.regex(result.stderr, /candidate \| candidate sees: made by maker/, 'the copied file is in the later build');
  await access(path.join(dir, 'generated/artifact.txt'));
  const tag = /mediawiki-services-ci-demo:(\d{4}-\d{2}-\d{2}-\d{6})-candidate/.exec(result.stdout);
  t.truthy(tag, result.stdout);
  t.regex(result.stdout, /published as mediawiki-services-ci-demo:stable/);
  t.regex(result.stdout, /candidate\.ref = "mediawiki-services-ci-demo:\d{4}-\d{2}-\d{2}-\d{6}-candidate"/);
  t.regex(result.stdout, /local image store stands in for the registry/);
  const published = await images.inspect('mediawiki-services-ci-demo:stable');
  t.truthy(published, 'published tags stay after teardown');
  t.truthy(await images.inspect(`mediawiki-services-ci-demo:${tag![1]}-candidate`));
  t.is(await leftContainers(dir), 0);
  await images.remove('mediawiki-services-ci-demo:stable');
  await images.remove(`mediawiki-services-ci-demo:${tag![1]}-candidate`);
});

test.serial('a failing stage: its frame finishes, later frames do not run, teardown leaves no containers; the printed rerun command retries it', async (t) => {
  const dir = await fixtureRepo();
  await writeFile(path.join(dir, 'FAIL'), 'x\n');
  const failed = await runCli(['-C', dir, 'ci', 'flaky']);
  t.is(failed.exitCode, 1, failed.stderr + failed.stdout);
  t.regex(failed.stderr, /check \| check failed: FAIL is present/);
  t.regex(failed.stdout, /check\s+FAILED/);
  t.regex(failed.stdout, /sibling\s+passed/);
  t.regex(failed.stdout, /after\s+not run/);
  t.regex(failed.stdout, /stage `check`: run exited with code 3/);
  t.is(await leftContainers(dir), 0, 'teardown removed every container');
  const rerun = /rerun the failed stage: devpipe -C \S+ ci (--rerun \S+ --from check)/.exec(failed.stdout);
  t.truthy(rerun, failed.stdout);

  await rm(path.join(dir, 'FAIL'));
  const args = rerun![1]!.split(' ');
  const retried = await runCli(['-C', dir, 'ci', ...args]);
  t.is(retried.exitCode, 0, retried.stderr + retried.stdout);
  t.regex(retried.stdout, /rerun of \S+/);
  t.regex(retried.stdout, /prepare\s+reused/);
  t.regex(retried.stdout, /check\s+passed/);
  t.regex(retried.stdout, /after\.checked = "[0-9a-f]{64}"/);
  t.regex(retried.stderr, /check \| check ok/);
  t.notRegex(retried.stderr, /prepare \| 18/, 'prepare was not run again');
  t.is(await leftContainers(dir), 0);
});

test.serial('outside a git checkout: setup values are assumed and said', async (t) => {
  const dir = await tempProject({}, 'devpipe-ci-nogit-');
  await cp(path.join(repoRoot, 'test/fixtures/ci-repo'), dir, { recursive: true });
  projects.push(path.basename(dir));
  const result = await runCli(['-C', dir, 'ci', 'test']);
  t.is(result.exitCode, 0, result.stderr + result.stdout);
  t.regex(result.stderr, /is not a git checkout .*setup\.project and setup\.projectShortName are assumed to be `devpipe-ci-nogit-\w+`/);
  t.is(await leftContainers(dir), 0);
});

test.serial('credentials: from the environment or the secrets file, redacted; a missing id fails naming it (exit 2)', async (t) => {
  const dir = await fixtureRepo();
  const fromEnv = await runCli(['-C', dir, 'ci', 'secrets'], { env: { DEVPIPE_SECRET_SONAR_API_KEY: 'fake-sonar-key' } });
  t.is(fromEnv.exitCode, 0, fromEnv.stderr + fromEnv.stdout);
  t.regex(fromEnv.stderr, /token \| token has 14 characters: \*\*\*/);
  t.false((fromEnv.stdout + fromEnv.stderr).includes('fake-sonar-key'), 'the value is never printed');

  await writeFile(path.join(dir, 'secrets.local.yaml'), 'SONAR_API_KEY: other-fake\n');
  const fromFile = await runCli(['-C', dir, 'ci', 'secrets'], { env: { DEVPIPE_SECRETS_FILE: 'secrets.local.yaml' } });
  t.is(fromFile.exitCode, 0, fromFile.stderr);
  t.regex(fromFile.stderr, /token has 10 characters: \*\*\*/);

  const missing = await runCli(['-C', dir, 'ci', 'secrets'], { env: { DEVPIPE_SECRET_SONAR_API_KEY: undefined, DEVPIPE_SECRETS_FILE: undefined } });
  t.is(missing.exitCode, 2);
  t.regex(missing.stdout, /token\s+FAILED/);
  t.regex(missing.stdout, /no value for credential `SONAR_API_KEY` \(run\.credentials, exposed as SONAR_TOKEN\)/);
  t.regex(missing.stdout, /DEVPIPE_SECRET_SONAR_API_KEY=/);
  t.is(await leftContainers(dir), 0);
});
