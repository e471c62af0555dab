/** `devpipe ci --plan` through the CLI (no engine needed): text, --json, exit codes. */
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { repoRoot, runCli } from '../../../helpers/cli.js';
import { tempProject } from '../../../helpers/tmp.js';

async function project(name: string): Promise<string> {
  const dir = await tempProject({}, 'devpipe-glplan-');
  await cp(path.join(repoRoot, 'test/fixtures/gitlab', name), dir, { recursive: true });
  return dir;
}

test('--plan: the pipeline, the jobs with what they do, and the rule that kept each other job out', async (t) => {
  const dir = await project('scap');
  const result = await runCli(['-C', dir, 'ci', '--plan', '--tag', '4.5.6', '--project-path', 'repos/releng/scap', '--default-branch', 'master']);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /^push pipeline for tag 4\.5\.6 \(protected\), default branch master, project repos\/releng\/scap$/m);
  t.regex(result.stdout, /jobs in this pipeline \(10\):/);
  t.regex(result.stdout, /publish-dist: \[bookworm\] {2}\[stage publish-dist\]\n {6}\.kokkuri:build-and-publish-image: build variant binary-dist-bookworm of \.pipeline\/blubber\.yaml, tag localhost\/repos\/releng\/scap\/bookworm:4\.5\.6, localhost\/repos\/releng\/scap\/bookworm:latest/);
  t.regex(result.stdout, /reports: test-reports\/junit\.xml \(junit\); test-reports\/coverage\.xml \(coverage_report\)/);
  t.regex(result.stdout, /build-docs {2}\[stage build-docs\]: no job rule matched \(rule 1: `\$CI_PROJECT_PATH == "repos\/releng\/scap" && \$CI_COMMIT_BRANCH == \$CI_DEFAULT_BRANCH && \$CI_COMMIT_REF_PROTECTED` is false\)/);
});

test('--plan --json: one result event with the plan, no text on stdout', async (t) => {
  const dir = await project('kask');
  const result = await runCli(['-C', dir, '--json', 'ci', '--plan', '--branch', 'main', '--var', 'CI_PROJECT_PATH=repos/mediawiki/services/kask']);
  t.is(result.exitCode, 0, result.stderr);
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; command?: string; data?: { jobs: { name: string; action: { publish: { refs: string[] } } }[] } });
  const plan = events.find((e) => e.type === 'result' && e.command === 'ci --plan');
  t.deepEqual(plan?.data?.jobs.map((j) => j.name), ['build-and-publish-production-image']);
  t.regex(plan!.data!.jobs[0]!.action.publish.refs[1]!, /^localhost\/repos\/mediawiki\/services\/kask:stable$/);
});

test('no pipeline / no job: said, exit 0 (K03, K08)', async (t) => {
  const kask = await project('kask');
  const none = await runCli(['-C', kask, 'ci', '--plan', '--source', 'merge_request_event', '--branch', 'feature-x']);
  t.is(none.exitCode, 0);
  t.regex(none.stdout, /no job matched: GitLab creates no pipeline for this event/);
  const blubber = await project('blubber');
  const noPipeline = await runCli(['-C', blubber, 'ci', '--tag', 'v1.9']);
  t.is(noPipeline.exitCode, 0, noPipeline.stderr);
  t.regex(noPipeline.stdout, /^no pipeline: no workflow rule matched/);
});

test('a job that cannot be planned exits 2 before anything runs (K14 RUN_ARGUMENTS)', async (t) => {
  const dir = await project('blubber-c059e19');
  const file = path.join(dir, '.gitlab-ci.yml');
  await writeFile(file, (await readFile(file, 'utf8')).replace(`RUN_ARGUMENTS: '["lint"]'`, 'RUN_ARGUMENTS: lint'));
  const result = await runCli(['-C', dir, 'ci', '--branch', 'main']);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /job `lint-code`: \.kokkuri:build-and-run-image: RUN_ARGUMENTS must be a JSON array of strings, got "lint"/);
});

test('flag errors: --ci pipelinelib with a GitLab flag, an unknown manual job, --from without --rerun', async (t) => {
  const dir = await project('kask');
  const both = await runCli(['-C', dir, 'ci', '--ci', 'pipelinelib', '--plan']);
  t.is(both.exitCode, 2);
  t.regex(both.stderr, /--plan applies to GitLab CI/);
  const manual = await runCli(['-C', dir, 'ci', '--branch', 'feature-x', '--run', 'nope']);
  t.is(manual.exitCode, 2);
  t.regex(manual.stderr, /--run nope: no such job in this pipeline/);
  const from = await runCli(['-C', dir, 'ci', '--from', 'x']);
  t.is(from.exitCode, 2);
  t.regex(from.stderr, /--from needs --rerun/);
});
