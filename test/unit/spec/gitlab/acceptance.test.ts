/**
 * The acceptance cases of kokkuri.md §4 (K01–K17), as far as planning decides them: which jobs a
 * pipeline contains (complete, in file order, with stages), what each Kokkuri job would build,
 * run, tag and export, and the configuration errors. Running them on the real engine is
 * test/integration/gitlab-*.test.ts.
 */
import test from 'ava';
import { resolveVariables } from '../../../../src/spec/gitlab/index.js';
import { fixtureFile, jobList, load, loadText, mr, planFixture, planOf, push, sha, tag } from './_helpers.js';

const kask = { CI_PROJECT_PATH: 'repos/mediawiki/services/kask' };

test('K01 kask, push(feature-x, false): run-tests and test-build-image; the publish job is absent', (t) => {
  const plan = planFixture('kask', push('feature-x', false), { vars: kask });
  t.deepEqual(jobList(plan), ['run-tests [test]', 'test-build-image [test]']);
  t.true(plan.skipped.some((s) => s.name === 'build-and-publish-production-image'));
  const run = plan.jobs[0]!.action!;
  t.is(run.template, 'build-and-run-image');
  t.is(run.variant, 'test');
  t.deepEqual(run.runArguments, [], 'the entrypoint runs with no extra arguments');
  const build = plan.jobs[1]!.action!;
  t.is(build.template, 'build-image');
  t.is(build.variant, 'production');
  t.is(build.runArguments, undefined, 'neither runs');
  t.is(build.publish, undefined, 'nor tags');
  t.is(build.outputDir, undefined);
});

test('K02 kask, push(main, true): only the publish job; sha and stable tags, no tag for the empty $CI_COMMIT_TAG item, dotenv, trusted', (t) => {
  const plan = planFixture('kask', push('main', true), { vars: kask });
  t.deepEqual(jobList(plan), ['build-and-publish-production-image [build-and-publish-production-image]']);
  t.deepEqual(plan.errors, []);
  const job = plan.jobs[0]!;
  t.is(job.action!.variant, 'production');
  t.deepEqual(job.action!.publish!.refs, [`localhost/repos/mediawiki/services/kask:${sha}`, 'localhost/repos/mediawiki/services/kask:stable']);
  t.deepEqual(job.action!.dotenv, { BUILD_AND_PUBLISH_PRODUCTION_IMAGE_IMAGE_REF: `localhost/repos/mediawiki/services/kask:${sha}` });
  t.true(job.notes.some((n) => /needs a `trusted` runner upstream/.test(n)));
});

test('K03 kask, mr(feature-x→main): zero jobs, no error', (t) => {
  const plan = planFixture('kask', mr('feature-x', 'main'), { vars: kask });
  t.true(plan.created);
  t.deepEqual(plan.jobs, []);
  t.deepEqual(plan.errors, []);
  t.is(plan.skipped.length, 3);
});

test('K04 kask, tag(v1.0.0, true): run-tests and test-build-image (undefined CI_COMMIT_BRANCH ≠ main), no publish', (t) => {
  const plan = planFixture('kask', tag('v1.0.0', true), { vars: kask });
  t.deepEqual(jobList(plan), ['run-tests [test]', 'test-build-image [test]']);
});

test('K06 a single-character pattern is a configuration error naming the job, rule 1 and /x/; no job list', (t) => {
  const result = loadText("include: [{project: 'repos/releng/kokkuri', file: 'includes/images.yaml'}]\njob:\n  extends: .kokkuri:build-image\n  variables: {BUILD_VARIANT: x}\n  rules: [{if: '$N =~ /x/'}]\n");
  t.false(result.ok);
  if (result.ok) return;
  t.is(result.errors.length, 1);
  const error = result.errors[0]!;
  t.regex(error.message, /job `job`, rule 1: invalid expression `\$N =~ \/x\/`: invalid pattern \/x\//);
  t.is(`${error.file}:${error.line}`, '.gitlab-ci.yml:5');
  t.is(error.path, 'job.rules[0].if');
});

const blubber = { CI_PROJECT_PATH: 'repos/releng/blubber' };

test('K07 blubber (component include), tag(v1.9.0, true): only build-and-publish-frontend [publish] on trusted, baking buildkit with TAG=v1.9.0', (t) => {
  const config = load(fixtureFile('blubber')!);
  t.deepEqual(config.includes.map((i) => `${i.kind} ${i.version ?? ''}`), ['kokkuri 2', 'external ']);
  const plan = planFixture('blubber', tag('v1.9.0', true), { vars: blubber });
  t.regex(plan.reason, /workflow rule 2 matched/);
  t.deepEqual(jobList(plan), ['build-and-publish-frontend [publish]']);
  const job = plan.jobs[0]!;
  t.deepEqual(job.job.tags, ['trusted']);
  t.is(job.action!.template, 'bake');
  t.deepEqual(job.action!.bake!.targets.map((x) => x.name), ['buildkit']);
  t.is(job.variables.TAG, 'v1.9.0');
  // Blubber's bake file tags every prefix of the version (its `versiontags` function); the corpus
  // snapshot of 2025-09 tagged `${TAG}` only (bake.test.ts).
  t.deepEqual(job.action!.bake!.targets[0]!.refs, ['localhost/repos/releng/blubber/buildkit:v1', 'localhost/repos/releng/blubber/buildkit:v1.9', 'localhost/repos/releng/blubber/buildkit:v1.9.0']);
  t.true(job.notes.some((n) => /attestations \(type=provenance,mode=max\) are not made locally/.test(n)));
});

test('K08 blubber, tag(v1.9, true): no pipeline, with the reason', (t) => {
  const plan = planFixture('blubber', tag('v1.9', true), { vars: blubber });
  t.false(plan.created);
  t.regex(plan.reason, /^no pipeline: no workflow rule matched/);
  t.regex(plan.reason, /rule 2: `\$CI_COMMIT_TAG =~ \/\^v\\d\+\\\.\\d\+\\\.\\d\+\/` is false/);
});

test('K09 blubber, mr(feature-x→main): test and four acceptance instances needing it; bake exports; the instances get the refs', (t) => {
  const plan = planFixture('blubber', mr('feature-x', 'main'), { vars: blubber });
  t.deepEqual(jobList(plan), ['test [test]', ...[1, 2, 3, 4].map((n) => `run-acceptance-tests: [@set${n}] [test]`)]);
  const bake = plan.jobs[0]!;
  const id = bake.variables.CI_JOB_ID;
  t.is(bake.variables.TAG, `job-${id}`);
  t.deepEqual(bake.action!.bake!.targets.map((x) => `${x.name}:${x.variant}`), ['lint:make', 'unit:make', 'buildkit:buildkit', 'acceptance:acceptance', 'docs:docs-for-publishing']);
  t.deepEqual(bake.action!.bake!.targets[0]!.args, { BUILDKIT_CONTEXT_KEEP_GIT_DIR: '1', MAKE_TARGET: 'lint' });
  t.deepEqual(bake.action!.dotenv, { TEST_BUILDKIT_IMAGE_REF: `localhost/repos/releng/blubber/buildkit:job-${id}`, TEST_ACCEPTANCE_IMAGE_REF: `localhost/repos/releng/blubber/acceptance:job-${id}` });
  plan.jobs.slice(1).forEach((job, i) => {
    t.deepEqual(job.needs, ['test']);
    const atRun = resolveVariables([job.variables, bake.action!.dotenv]);
    t.is(atRun.BLUBBER_TEST_IMAGE, `localhost/repos/releng/blubber/buildkit:job-${id}`);
    t.is(atRun.BLUBBER_ONLY_EXAMPLES, `@set${i + 1}`);
    t.is(job.job.image!.name, '${TEST_ACCEPTANCE_IMAGE_REF}');
    t.deepEqual(job.job.script, ['cd /srv/app', './examples.test']);
  });
});

test('K10 blubber, push(main, true): the two docs jobs; publish-documentation needs build-documentation and is external', (t) => {
  const plan = planFixture('blubber', push('main', true), { vars: blubber });
  t.deepEqual(jobList(plan), ['build-documentation [build-publish-docs]', 'publish-documentation [build-publish-docs]']);
  const publish = plan.jobs[1]!;
  t.deepEqual(publish.needs, ['build-documentation']);
  t.is(publish.kind, 'external');
  t.regex(publish.notes[0]!, /\.docpub:publish-docs from an include devpipe cannot read \(project repos\/releng\/docpub/);
});

const scap = { CI_PROJECT_PATH: 'repos/releng/scap' };
const scapTests = ['verify-deps: [bullseye] [test]', 'verify-deps: [bookworm] [test]', 'verify-deps: [trixie] [test]', 'test-web [test]', 'test: [bullseye] [test]', 'test: [bookworm] [test]', 'test: [trixie] [test]'];

test('K11 scap, push(feature-x, false): the 7 test jobs; matrix variables feed BUILD_VARIANT; reports exported to test-reports/', (t) => {
  const plan = planFixture('scap', push('feature-x', false), { vars: scap });
  t.deepEqual(jobList(plan), scapTests);
  const verify = plan.jobs.find((j) => j.name === 'verify-deps: [trixie]')!;
  t.is(verify.action!.variant, 'verify-deps-trixie');
  t.deepEqual(verify.action!.runArguments, []);
  const test_ = plan.jobs.find((j) => j.name === 'test: [bookworm]')!;
  t.is(test_.action!.variant, 'test-bookworm-report');
  t.is(test_.action!.outputDir, 'test-reports');
  t.is(test_.action!.publish, undefined, 'no image tag');
  t.deepEqual(test_.job.artifacts.reports, { junit: ['test-reports/junit.xml'], coverage_report: ['test-reports/coverage.xml'] });
});

test('K12 scap, tag(4.5.6, true): the 7 jobs plus publish-dist per distro; bookworm tags 4.5.6 and latest; no docs', (t) => {
  const plan = planFixture('scap', tag('4.5.6', true), { vars: scap });
  t.deepEqual(jobList(plan), [...scapTests, 'publish-dist: [bullseye] [publish-dist]', 'publish-dist: [bookworm] [publish-dist]', 'publish-dist: [trixie] [publish-dist]']);
  const bookworm = plan.jobs.find((j) => j.name === 'publish-dist: [bookworm]')!;
  t.is(bookworm.action!.variant, 'binary-dist-bookworm');
  t.deepEqual(bookworm.action!.publish!.refs, ['localhost/repos/releng/scap/bookworm:4.5.6', 'localhost/repos/releng/scap/bookworm:latest']);
  t.deepEqual(Object.keys(bookworm.action!.dotenv), ['PUBLISH_DIST___BOOKWORM__IMAGE_REF']);
});

test('K13 scap with default branch master, push(master, true): docs jobs only for the canonical project path', (t) => {
  const first = planFixture('scap', push('master', true, { defaultBranch: 'master' }), { vars: scap });
  t.deepEqual(jobList(first), [...scapTests, 'build-docs [build-docs]', 'publish-docs [publish-docs]']);
  const second = planFixture('scap', push('master', true, { defaultBranch: 'master' }), { vars: { CI_PROJECT_PATH: 'someone/scap' } });
  t.deepEqual(jobList(second), scapTests);
});

test('K14 blubber@c059e19 lint-code: variant make with RUN_ARGUMENTS ["lint"]; a non-array RUN_ARGUMENTS is a configuration error for that job', (t) => {
  const plan = planFixture('blubber-c059e19', push('main', true), { vars: blubber });
  const lint = plan.jobs.find((j) => j.name === 'lint-code')!;
  t.is(lint.action!.variant, 'make');
  t.deepEqual(lint.action!.runArguments, ['lint']);
  const text = fixtureFile('blubber-c059e19')!.replace(`RUN_ARGUMENTS: '["lint"]'`, 'RUN_ARGUMENTS: lint');
  const bad = planOf(load(text), push('main', true), { vars: blubber });
  t.deepEqual(bad.errors, ['job `lint-code`: .kokkuri:build-and-run-image: RUN_ARGUMENTS must be a JSON array of strings, got "lint" (hint: write it as a JSON array: RUN_ARGUMENTS: \'["lint"]\')']);
  t.truthy(bad.jobs.find((j) => j.name === 'run-unit-tests')!.action, 'only that job is in error');
});

const catalyst = { CI_PROJECT_NAMESPACE: 'repos/test-platform/catalyst' };

test('K15 patchdemo, push(main, true): !reference rules; deploy-production is manual; another namespace keeps only the tests', (t) => {
  const plan = planFixture('patchdemo', push('main', true), { vars: catalyst });
  t.deepEqual(jobList(plan), ['test-php [test]', 'test-nodejs [test]', 'publish [publish]', 'deploy-staging [deploy]', 'deploy-production [deploy]']);
  t.deepEqual(plan.jobs.map((j) => j.when), ['on_success', 'on_success', 'on_success', 'on_success', 'manual']);
  t.false(plan.jobs[4]!.allowFailure, 'manual from rules is blocking');
  t.is(plan.jobs[3]!.job.rules![0]!.if, plan.jobs[2]!.job.rules![0]!.if);
  const other = planFixture('patchdemo', push('main', true), { vars: { CI_PROJECT_NAMESPACE: 'lloydchang' } });
  t.deepEqual(jobList(other), ['test-php [test]', 'test-nodejs [test]']);
});

test('K16 patchdemo@00788b5, push(main, true): rules:changes with when: never', (t) => {
  const ci = planFixture('patchdemo-00788b5', push('main', true), { changes: { kind: 'files', files: ['.gitlab-ci.yml'], from: 'HEAD~1' } });
  t.deepEqual(jobList(ci), ['test-php [test]', 'test-nodejs [test]', 'deploy [deploy]']);
  t.regex(ci.skipped[0]!.reason, /job rule 1 matched .*when: never/);
  const code = planFixture('patchdemo-00788b5', push('main', true), { changes: { kind: 'files', files: ['src/index.php'], from: 'HEAD~1' } });
  t.deepEqual(jobList(code), ['test-php [test]', 'test-nodejs [test]', 'publish [publish]', 'deploy [deploy]']);
  const fresh = planFixture('patchdemo-00788b5', push('main', true), { changes: { kind: 'all', reason: 'a new branch (no HEAD~1 to compare with)' } });
  t.deepEqual(jobList(fresh), jobList(ci), 'changes counts as true on a new branch');
});

test('K17 blubber@fdc712d, push(main, true): duplicate keys warned (both lines, last wins); the job list; when: always; remote-context variables', (t) => {
  const result = loadText(fixtureFile('blubber-fdc712d')!);
  t.true(result.ok);
  const dups = result.warnings.filter((w) => /duplicate key/.test(w.message));
  t.deepEqual(dups.map((w) => w.path), ['.remote-context', '.run', '.publish']);
  for (const w of dups) t.regex(w.message, /\(lines \d+ and \d+\); GitLab keeps the last definition/);
  const plan = planFixture('blubber-fdc712d', push('main', true), { vars: blubber });
  t.deepEqual(jobList(plan), [
    'lint-code [lint]',
    'ensure-docs-were-generated [lint]',
    'run-unit-tests [test]',
    'build-frontend-for-testing [test]',
    'build-acceptance-runner [test]',
    ...[1, 2, 3, 4].map((n) => `run-acceptance-tests: [@set${n}] [acceptance]`),
    'build-documentation [build-publish-docs]',
    'publish-documentation [build-publish-docs]',
  ]);
  t.deepEqual(plan.jobs.filter((j) => j.when === 'always').map((j) => j.name), ['build-frontend-for-testing', 'build-acceptance-runner', ...[1, 2, 3, 4].map((n) => `run-acceptance-tests: [@set${n}]`)]);
  for (const name of ['lint-code', 'build-frontend-for-testing']) {
    const v = plan.jobs.find((j) => j.name === name)!.variables;
    t.is(v.GIT_STRATEGY, 'none');
    t.is(v.BUILD_CONTEXT, 'https://gitlab.wikimedia.org/repos/test/project.git#main');
    t.is(v.BUILD_FRONTEND, 'docker-registry.wikimedia.org/repos/releng/blubber/buildkit:v1.0.0');
  }
});
