/**
 * Green run steps are remembered (engine/ci/passed-runs.ts), on the real engine: the second
 * `devpipe ci` of unchanged inputs runs no test container, and says so; a changed source, a
 * changed credential value or `--no-cache` runs it again; a failure is reproduced every time; the
 * record never holds a credential value. PipelineLib (test/fixtures/ci-repo) and GitLab's
 * build-and-run (test/fixtures/gitlab-run/kask).
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { settingsFile } from '../helpers/base-images.js';
import { runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { gitFixture } from '../helpers/git-fixture.js';

const { test, docker } = await dockerTest();
const containers = new DockerContainerRunner(docker);
const images = new DockerImageStore(docker);
const projects: string[] = [];
const kaskBases = ['docker-registry.wikimedia.org/bullseye:latest', 'docker-registry.wikimedia.org/golang1.19:latest'];

async function fixtureRepo(fixture: string, remote: string, branch = 'main'): Promise<string> {
  const dir = await gitFixture(fixture, { remote, branch, prefix: 'devpipe-cicache-' });
  projects.push(path.basename(dir));
  return dir;
}

test.after.always(async () => {
  for (const project of projects) {
    for (const c of await containers.list({ 'devpipe.project': project })) await containers.remove(c.id);
    for (const image of (await images.list({ 'devpipe.project': project })).reverse()) await images.remove(image.id, { force: true }).catch(() => undefined);
  }
});

/** The `devpipe.run` label of every container the engine created while `fn` ran (events, not a listing). */
async function containersCreated(project: string, fn: () => Promise<void>): Promise<string[]> {
  const since = Math.floor(Date.now() / 1000) - 1;
  await fn();
  const until = Math.floor(Date.now() / 1000) + 1;
  const stream = await docker.getEvents({ since, until, filters: { type: ['container'], event: ['create'], label: [`devpipe.project=${project}`] } });
  const text = await new Promise<string>((resolve, reject) => {
    let out = '';
    stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
  return text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { Actor: { Attributes: Record<string, string> } }).Actor.Attributes['devpipe.stage'] ?? '?');
}

test.serial('PipelineLib: the second green run of the same inputs runs no container; a change, a new credential value or --no-cache runs it again', async (t) => {
  const dir = await fixtureRepo('test/fixtures/ci-repo', 'https://gerrit.wikimedia.org/r/mediawiki/services/ci-demo');
  const project = path.basename(dir);
  const env = { DEVPIPE_SECRET_SONAR_API_KEY: 'canary-sonar-4f1e' };
  let first = await runCli(['--version']);
  const ran = await containersCreated(project, async () => {
    first = await runCli(['-C', dir, 'ci', 'test'], { env });
  });
  t.is(first.exitCode, 0, first.stderr + first.stdout);
  t.regex(first.stderr, /unit \| unit: hello from service\//);
  t.deepEqual(ran, ['unit'], 'the first run created the unit container (and the events show it)');

  let second = first;
  const created = await containersCreated(project, async () => {
    second = await runCli(['--json', '-C', dir, 'ci', 'test'], { env });
  });
  t.is(second.exitCode, 0, second.stderr);
  t.deepEqual(created, [], 'no container was created');
  const result = second.stdout.split('\n').map((l) => (l.startsWith('{') ? (JSON.parse(l) as { type: string; data?: { stages: { stage: string; cached?: boolean }[] } }) : undefined)).find((e) => e?.type === 'result');
  t.true(result?.data?.stages.find((s) => s.stage === 'unit')?.cached, 'the record says cached');
  const text = await runCli(['-C', dir, 'ci', 'test'], { env });
  t.regex(text.stdout, /unit\s+passed \(cached\)/);
  t.regex(text.stdout, /ci --no-cache runs everything/);
  t.notRegex(text.stderr, /unit: hello from service/, 'the test did not print: it did not run');

  // A changed source is a new image: the step runs.
  await writeFile(path.join(dir, 'service', 'hello.txt'), 'changed\n');
  const changed = await runCli(['-C', dir, 'ci', 'test'], { env });
  t.is(changed.exitCode, 0, changed.stderr);
  t.regex(changed.stdout, /unit\s+passed\s+\d/);
  t.notRegex(changed.stdout, /unit\s+passed \(cached\)/);

  // --no-cache: everything runs, every image is built.
  const fresh = await runCli(['--json', '-C', dir, 'ci', '--no-cache', 'test'], { env });
  t.is(fresh.exitCode, 0, fresh.stderr);
  const built = fresh.stdout.split('\n').filter((l) => l.includes('"image:built"')).map((l) => JSON.parse(l) as { cached: boolean });
  t.true(built.length >= 2 && built.every((b) => !b.cached), '--no-cache builds from scratch');
  t.false(fresh.stdout.includes('"cached":true'), 'no stage answered from the record');

  // Credentials: a new value is a new step; the file never holds a value.
  const token1 = await runCli(['-C', dir, 'ci', 'secrets'], { env });
  t.regex(token1.stderr, /token has 17 characters: \*\*\*/);
  const token2 = await runCli(['-C', dir, 'ci', 'secrets'], { env });
  t.regex(token2.stdout, /token\s+passed \(cached\)/);
  const token3 = await runCli(['-C', dir, 'ci', 'secrets'], { env: { DEVPIPE_SECRET_SONAR_API_KEY: 'canary-sonar-other' } });
  t.regex(token3.stderr, /token has 18 characters: \*\*\*/, 'a changed value runs it again');
  const file = path.join(dir, '.devpipe/cache/ci-passed.json');
  const content = await readFile(file, 'utf8');
  t.false(content.includes('canary-sonar'), 'no credential value in the cache file');
  t.is((await stat(file)).mode & 0o777, 0o600);
});

test.serial('PipelineLib: a failing stage is never cached (the failure is reproduced); once fixed it passes, then is cached', async (t) => {
  const dir = await fixtureRepo('test/fixtures/ci-repo', 'https://gerrit.wikimedia.org/r/mediawiki/services/ci-demo');
  await writeFile(path.join(dir, 'FAIL'), 'x\n');
  for (let i = 0; i < 2; i++) {
    const failed = await runCli(['-C', dir, 'ci', 'flaky']);
    t.is(failed.exitCode, 1, failed.stdout);
    t.regex(failed.stderr, /check \| check failed: FAIL is present/, `run ${i + 1} ran the failing step`);
  }
  await rm(path.join(dir, 'FAIL'));
  const fixed = await runCli(['-C', dir, 'ci', 'flaky']);
  t.is(fixed.exitCode, 0, fixed.stdout);
  t.regex(fixed.stderr, /check \| check ok/);
  const again = await runCli(['-C', dir, 'ci', 'flaky']);
  t.is(again.exitCode, 0, again.stdout);
  t.regex(again.stdout, /check\s+passed \(cached\)/);
  t.regex(again.stdout, /prepare\s+passed \(cached\)/);
});

test.serial('GitLab: a Kokkuri build-and-run job that passed is answered from the record; --no-cache runs it', async (t) => {
  // The bases as local stand-ins through the user's settings (no shared tag another test could remove).
  const env = { DEVPIPE_SETTINGS: await settingsFile(Object.fromEntries(kaskBases.map((base) => [base, 'debian:bookworm-slim']))) };
  const dir = await fixtureRepo('test/fixtures/gitlab-run/kask', 'https://gitlab.wikimedia.org/repos/mediawiki/services/kask.git', 'feature-x');
  const first = await runCli(['-C', dir, 'ci', '--ci', 'gitlab'], { env });
  t.is(first.exitCode, 0, first.stderr + first.stdout);
  t.regex(first.stderr, /run-tests \| make test/);
  const second = await runCli(['-C', dir, 'ci', '--ci', 'gitlab'], { env });
  t.is(second.exitCode, 0, second.stderr + second.stdout);
  t.regex(second.stdout, /run-tests\s+passed \(cached\)/);
  t.notRegex(second.stderr, /run-tests \| make test: go test/, 'the job did not run');
  const fresh = await runCli(['-C', dir, 'ci', '--ci', 'gitlab', '--no-cache'], { env });
  t.is(fresh.exitCode, 0, fresh.stderr);
  t.regex(fresh.stdout, /run-tests\s+passed\s+\d/);
});
