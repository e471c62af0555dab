/**
 * `devpipe ci` on GitLab CI (Kokkuri) projects, on the real engine: fixtures shaped like kask,
 * scap and blubber (test/fixtures/gitlab-run), their `docker-registry.wikimedia.org/...` bases
 * tagged locally from debian:bookworm-slim (never pulled, untagged afterwards). Covers
 * build-and-run, build, publish with extra tags + dotenv (K01, K02), matrix + `--output
 * type=local` + publish per distro (K11, K12), RUN_ARGUMENTS failing a job with `when: always`
 * jobs still running and a rerun (K14), dotenv image refs feeding script jobs (K09/K17's
 * pattern), fake secrets redacted, a missing image reported, `--plan` building nothing.
 */
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { gitFixture } from '../helpers/git-fixture.js';
import { tempProject } from '../helpers/tmp.js';

const { test, docker } = await dockerTest();
const containers = new DockerContainerRunner(docker);
const images = new DockerImageStore(docker);
const projects: string[] = [];
const standIns = ['bullseye:latest', 'golang1.19:latest', 'bookworm:latest', 'trixie:latest', 'nodejs20-slim:latest', 'bookworm:20230820'].map((n) => `docker-registry.wikimedia.org/${n}`);
const createdTags: string[] = [];
const publishedPrefixes = ['localhost/repos/mediawiki/services/kask', 'localhost/repos/releng/scap/', 'localhost/repos/releng/blubber', 'localhost/repos/test/secrets'];

test.before(async () => {
  for (const tag of standIns) {
    if (await images.inspect(tag)) continue;
    await images.tag('debian:bookworm-slim', tag);
    createdTags.push(tag);
  }
});

test.after.always(async () => {
  for (const project of projects) {
    for (const c of await containers.list({ 'devpipe.project': project })) await containers.remove(c.id);
  }
  const all = await docker.listImages();
  for (const image of all) for (const tag of image.RepoTags ?? []) if (publishedPrefixes.some((p) => tag.startsWith(p))) await images.remove(tag).catch(() => undefined);
  for (const project of projects) {
    for (const image of (await images.list({ 'devpipe.project': project })).reverse()) await images.remove(image.id, { force: true }).catch(() => undefined);
  }
  for (const tag of createdTags) await images.remove(tag).catch(() => undefined);
});

async function repo(fixture: string, remote: string, branch: string): Promise<string> {
  const dir = await gitFixture(path.join('test/fixtures/gitlab-run', fixture), { remote, branch, prefix: `devpipe-gl-${fixture.replace(/[^a-z]/g, '')}-` });
  projects.push(path.basename(dir));
  return dir;
}

async function leftContainers(dir: string): Promise<number> {
  return (await containers.list({ 'devpipe.project': path.basename(dir) })).length;
}

test.serial('K01 on the engine: kask-shaped push to a feature branch runs the test variant and builds production; nothing published, built images kept only as content-addressed cache', async (t) => {
  const dir = await repo('kask', 'https://gitlab.wikimedia.org/repos/mediawiki/services/kask.git', 'feature-x');
  const result = await runCli(['-C', dir, 'ci', '--ci', 'gitlab']);
  t.is(result.exitCode, 0, result.stderr + result.stdout);
  t.regex(result.stderr, /run-tests \| make test: go test -bench=\. -benchmem \.\/\.\.\. in \/srv\/kask/);
  t.regex(result.stdout, /pipeline gitlab-ci, run \S+, mode push feature-x: PASSED/);
  t.regex(result.stdout, /run-tests\s+passed\s+\S+\s+[0-9a-f]{12}\s+-/);
  t.regex(result.stdout, /test-build-image\s+passed\s+\S+\s+[0-9a-f]{12}\s+-/);
  t.notRegex(result.stdout, /build-and-publish-production-image/);
  t.is(await leftContainers(dir), 0);
  const left = await images.list({ 'devpipe.project': path.basename(dir) });
  t.true(left.length > 0, 'a green run keeps its images as cache for the next run');
  const tags = left.flatMap((image) => image.tags);
  t.true(tags.every((tag) => /:[a-z0-9._-]+-[0-9a-f]{12}$/.test(tag)), `only content-addressed cache tags (nothing published, no moving tag): ${tags.join(', ')}`);
});

test.serial('K02 on the engine: kask-shaped push to protected main publishes <sha> and stable locally, exports the dotenv ref, records the run', async (t) => {
  const dir = await repo('kask', 'https://gitlab.wikimedia.org/repos/mediawiki/services/kask.git', 'main');
  const sha = (await execa('git', ['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
  const result = await runCli(['-C', dir, 'ci']);
  t.is(result.exitCode, 0, result.stderr + result.stdout);
  const ref = `localhost/repos/mediawiki/services/kask:${sha}`;
  t.truthy(await images.inspect(ref));
  t.truthy(await images.inspect('localhost/repos/mediawiki/services/kask:stable'));
  t.true(result.stdout.includes(`BUILD_AND_PUBLISH_PRODUCTION_IMAGE_IMAGE_REF = "${ref}"`), result.stdout);
  t.regex(result.stdout, /needs a `trusted` runner upstream/);
  const id = /record: (\S+)/.exec(result.stdout)![1]!;
  const record = JSON.parse(await readFile(path.join(dir, id, 'run.json'), 'utf8'));
  t.is(record.status, 'passed');
  t.is(record.bindings['build-and-publish-production-image'].BUILD_AND_PUBLISH_PRODUCTION_IMAGE_IMAGE_REF, ref);
  t.is(record.bindings['gitlab:pipeline'].branch, 'main');
});

test.serial('K03 on the CLI: a merge request pipeline of kask has no job; exit 0 with the reason', async (t) => {
  const dir = await repo('kask', 'https://gitlab.wikimedia.org/repos/mediawiki/services/kask.git', 'feature-x');
  const result = await runCli(['-C', dir, 'ci', '--source', 'merge_request_event']);
  t.is(result.exitCode, 0, result.stderr + result.stdout);
  t.regex(result.stdout, /no job matched: GitLab creates no pipeline for this event; nothing to run/);
});

test.serial('--plan builds nothing and exits 0; a bad rule exits 2 with its location', async (t) => {
  const dir = await repo('kask', 'https://gitlab.wikimedia.org/repos/mediawiki/services/kask.git', 'feature-x');
  const plan = await runCli(['-C', dir, 'ci', '--plan']);
  t.is(plan.exitCode, 0, plan.stderr);
  t.regex(plan.stdout, /jobs in this pipeline \(2\):/);
  t.regex(plan.stdout, /build-and-publish-production-image {2}\[stage build-and-publish-production-image\]: no job rule matched \(rule 1: /);
  t.deepEqual(await images.list({ 'devpipe.project': path.basename(dir) }), []);
  const text = await readFile(path.join(dir, '.gitlab-ci.yml'), 'utf8');
  await writeFile(path.join(dir, '.gitlab-ci.yml'), text.replace('$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH != $CI_DEFAULT_BRANCH', '$CI_COMMIT_BRANCH =~ /x/'));
  const bad = await runCli(['-C', dir, 'ci', '--plan']);
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /\.gitlab-ci\.yml:15:9 run-tests\.rules\[0\]\.if: job `run-tests`, rule 1: invalid expression `\$CI_COMMIT_BRANCH =~ \/x\/`/);
});

test.serial('K11/K12 on the engine: scap-shaped tag pipeline: matrix jobs, reports exported to test-reports/, each distro published as 4.5.6 and latest', async (t) => {
  const dir = await repo('scap', 'https://gitlab.wikimedia.org/repos/releng/scap.git', 'master');
  await execa('git', ['tag', '4.5.6'], { cwd: dir });
  const result = await runCli(['-C', dir, 'ci', '--tag', '4.5.6']);
  t.is(result.exitCode, 0, result.stderr + result.stdout);
  t.regex(result.stderr, /verify-deps: \[trixie\] \| deps check passed on/);
  for (const distro of ['bullseye', 'bookworm', 'trixie']) {
    t.regex(result.stdout, new RegExp(`test: \\[${distro}\\]\\s+passed`));
    t.truthy(await images.inspect(`localhost/repos/releng/scap/${distro}:4.5.6`));
    t.truthy(await images.inspect(`localhost/repos/releng/scap/${distro}:latest`));
  }
  t.is(await readFile(path.join(dir, 'test-reports/junit.xml'), 'utf8'), '<testsuite name="scap" tests="3"/>\n');
  t.regex(await readFile(path.join(dir, 'test-reports/coverage.xml'), 'utf8'), /line-rate/);
  t.is(await leftContainers(dir), 0, 'export containers are removed too');
});

test.serial('K14 on the engine: RUN_ARGUMENTS appended to [make, clean]; a failing lint skips on_success jobs, when: always jobs still run (dotenv refs into script jobs); the rerun passes', async (t) => {
  const dir = await repo('blubber-c059e19', 'https://gitlab.wikimedia.org/repos/releng/blubber.git', 'main');
  await writeFile(path.join(dir, 'LINT_FAIL'), 'x\n');
  const failed = await runCli(['-C', dir, 'ci']);
  t.is(failed.exitCode, 1, failed.stderr + failed.stdout);
  t.regex(failed.stdout, /job `lint-code`: `make clean lint` exited with code 2/);
  t.regex(failed.stdout, /lint: gofmt wants changes in main\.go/);
  t.regex(failed.stdout, /run-unit-tests\s+not run/);
  const frontend = /BUILD_FRONTEND_FOR_TESTING_IMAGE_REF = "(localhost\/repos\/releng\/blubber:job-\d+)"/.exec(failed.stdout);
  t.truthy(frontend, failed.stdout);
  for (const set of [1, 2, 3, 4]) t.true(failed.stderr.includes(`run-acceptance-tests: [@set${set}] | make examples: set=@set${set} frontend=${frontend![1]}`), failed.stderr);
  t.is(await leftContainers(dir), 0);
  const rerun = /rerun the failed job: devpipe -C \S+ ci (--rerun \S+ --from lint-code)/.exec(failed.stdout);
  t.truthy(rerun, failed.stdout);
  await rm(path.join(dir, 'LINT_FAIL'));
  const retried = await runCli(['-C', dir, 'ci', ...rerun![1]!.split(' ')]);
  t.is(retried.exitCode, 0, retried.stderr + retried.stdout);
  t.regex(retried.stderr, /lint-code \| make: lint/);
  t.regex(retried.stdout, /run-unit-tests\s+passed/);
  t.regex(retried.stdout, /rerun of \S+/);
});

test.serial('script jobs: run in a local image with the checkout; fake secrets for undefined variables are redacted; a missing image leaves the run INCOMPLETE', async (t) => {
  const dir = await tempProject(
    {
      '.gitlab-ci.yml': [
        'stages: [test, deploy]',
        'unit:',
        '  image: debian:bookworm-slim',
        '  script:',
        '    - test -f .gitlab-ci.yml',
        '    - echo "connecting with $DB_PASS as $DB_USER"',
        'deploy:',
        '  stage: deploy',
        '  image: {name: docker-registry.wikimedia.org/repos/abstract-wiki/ci-images/helm, entrypoint: [""]}',
        '  script: [helm upgrade --install x ./chart]',
        '',
      ].join('\n'),
    },
    'devpipe-gl-script-',
  );
  await chmod(dir, 0o755);
  projects.push(path.basename(dir));
  const canary = 'canary-7f3e9c-secret';
  const result = await runCli(['-C', dir, 'ci', '--project-path', 'repos/test/secrets', '--branch', 'main'], { env: { DEVPIPE_SECRET_DB_PASS: canary } });
  t.is(result.exitCode, 0, result.stderr + result.stdout);
  t.regex(result.stderr, /unit \| connecting with \*\*\* as/);
  t.regex(result.stderr, /variables used but defined nowhere .*left empty: DB_USER/);
  t.regex(result.stdout, /mode push main \(protected\): INCOMPLETE/);
  t.regex(result.stdout, /deploy\s+INCOMPLETE/);
  t.regex(result.stdout, /image docker-registry\.wikimedia\.org\/repos\/abstract-wiki\/ci-images\/helm is not present locally and devpipe never pulls/);
  const record = await readFile(path.join(dir, /record: (\S+)/.exec(result.stdout)![1]!, 'run.json'), 'utf8');
  const json = await runCli(['-C', dir, '--json', 'ci', '--project-path', 'repos/test/secrets', '--branch', 'main'], { env: { DEVPIPE_SECRET_DB_PASS: canary } });
  t.is(json.exitCode, 0, json.stderr);
  t.regex(json.stdout, /connecting with \*\*\* as/);
  for (const text of [result.stdout, result.stderr, record, json.stdout, json.stderr]) t.false(text.includes(canary), 'the secret value appears nowhere');
  t.is(await leftContainers(dir), 0);
});

test.serial('K09/K07 on the engine: blubber-shaped bake — a merge request bakes the matrix make targets, publishes buildkit and acceptance as job-<id>, writes the docs; the acceptance jobs run in that image; a tag publishes every version prefix', async (t) => {
  const dir = await repo('blubber', 'https://gitlab.wikimedia.org/repos/releng/blubber.git', 'feature-x');
  const mr = await runCli(['-C', dir, 'ci', '--source', 'merge_request_event']);
  t.is(mr.exitCode, 0, mr.stderr + mr.stdout);
  t.regex(mr.stderr, /test \| .*RUN .*sh bin\/make "lint"/, 'the matrix target lint built with MAKE_TARGET=lint');
  t.regex(mr.stderr, /test \| .*RUN .*sh bin\/make "unit"/);
  t.regex(mr.stderr, /test \| bake unit: variant make: [0-9a-f]{12}/);
  const acceptance = /TEST_ACCEPTANCE_IMAGE_REF = "(localhost\/repos\/releng\/blubber\/acceptance:job-\d+)"/.exec(mr.stdout);
  const buildkit = /TEST_BUILDKIT_IMAGE_REF = "(localhost\/repos\/releng\/blubber\/buildkit:job-\d+)"/.exec(mr.stdout);
  t.truthy(acceptance && buildkit, mr.stdout);
  t.truthy(await images.inspect(acceptance![1]!));
  for (const set of [1, 2, 3, 4]) t.true(mr.stderr.includes(`run-acceptance-tests: [@set${set}] | examples: set=@set${set} frontend=${buildkit![1]}`), mr.stderr);
  t.is(await readFile(path.join(dir, 'dist/docs/index.html'), 'utf8'), '# Blubber docs\n');
  t.regex(mr.stdout, /attestations \(type=provenance,mode=max\) are not made locally/);

  await execa('git', ['tag', 'v1.9.0'], { cwd: dir });
  const release = await runCli(['-C', dir, 'ci', '--tag', 'v1.9.0']);
  t.is(release.exitCode, 0, release.stderr + release.stdout);
  t.regex(release.stdout, /build-and-publish-frontend\s+passed/);
  for (const tag of ['v1', 'v1.9', 'v1.9.0']) t.truthy(await images.inspect(`localhost/repos/releng/blubber/buildkit:${tag}`), tag);
  t.is(await leftContainers(dir), 0);
});
