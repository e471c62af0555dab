import test from 'ava';
import { copySource, credentialEnv, isUrlContext, pushRef, redact, sanitizeDestination, tailOutput, runExitCode, type CredentialSource } from '../../../../src/engine/ci/index.js';
import { summaryRows } from '../../../../src/ui/ci-summary.js';
import { secretEnvVar } from '../../../../src/engine/stack/secrets.js';
import { DevpipeError } from '../../../../src/errors.js';

const sanitized = test.macro({
  exec: (t, input: string, expected: string) => t.is(sanitizeDestination(input), expected),
  title: (_, input) => `copy destination ${input}`,
});
test(sanitized, '/foo/../../dst/foo/../path', 'dst/path');
test(sanitized, 'out/', 'out');
test(sanitized, '../../etc/passwd', 'etc/passwd');
test(sanitized, '/', '.');
test(sanitized, 'a/./b', 'a/b');

test('copy sources ending in / copy the contents', (t) => {
  t.is(copySource('/srv/out/'), '/srv/out/.');
  t.is(copySource('/srv/out'), '/srv/out');
});

test('tail output: last N lines with a trailing newline, "" for 0', (t) => {
  t.is(tailOutput(['a', 'b', 'c'], 2), 'b\nc\n');
  t.is(tailOutput(['a'], 0), '');
  t.is(tailOutput([], 3), '');
});

test('URL contexts are recognised', (t) => {
  t.true(isUrlContext('https://example.org/x.git'));
  t.false(isUrlContext('./src'));
  t.false(isUrlContext('.'));
});

test('push refs join the configured registry, name and tag', (t) => {
  t.is(pushRef('localhost:5000/', 'citoid', 'v1'), 'localhost:5000/citoid:v1');
});

test('credentials resolve through the secret source; a missing id names it and every place devpipe looked', async (t) => {
  t.is(secretEnvVar('sonar-api.key'), 'DEVPIPE_SECRET_SONAR_API_KEY');
  const values: Record<string, string> = { A: 'from-env', B: 'b' };
  const source: CredentialSource = { get: async (id) => values[id], describe: () => 'env DEVPIPE_SECRET_<ID>, fakes in .pipeline/devpipe.yaml' };
  t.deepEqual(await credentialEnv(source, 'test', [{ id: 'A', name: 'X' }, { id: 'B', name: 'Y' }]), { X: 'from-env', Y: 'b' });
  const error = await t.throwsAsync(credentialEnv(source, 'test', [{ id: 'C', name: 'Z' }]), { instanceOf: DevpipeError });
  t.is(error!.message, 'stage `test`: no value for credential `C` (run.credentials, exposed as Z)');
  t.regex(error!.hint ?? '', /env DEVPIPE_SECRET_<ID>, fakes in .pipeline\/devpipe.yaml; set DEVPIPE_SECRET_C=/);
  t.is(redact('key=hunter2!', ['hunter2']), 'key=***!');
});

test('exit codes: interrupted 130, spec failure 2, failure 1, else 0', (t) => {
  const stage = (status: string, errorKind?: string) => ({ stage: 's', status: status as never, durationMs: 0, published: [], exports: {}, steps: [], errorKind });
  t.is(runExitCode([stage('passed'), stage('incomplete')]), 0);
  t.is(runExitCode([stage('failed', 'failure')]), 1);
  t.is(runExitCode([stage('failed', 'failure'), stage('failed', 'spec')]), 2);
  t.is(runExitCode([stage('interrupted')]), 130);
});

test('summary rows: result, duration, short image ID, published refs, exports', (t) => {
  const rows = summaryRows({
    version: 1, runId: 'r', pipeline: 'p', configFile: '', mode: 'test', startedAt: '', status: 'passed', bindings: {}, ownedImages: [], publishedImages: [], containers: [], localTags: [],
    stages: [
      { stage: 'candidate', status: 'passed', durationMs: 1500, imageId: 'f'.repeat(64), published: ['citoid:v1', 'citoid:stable'], exports: { ref: 'citoid:v1' }, steps: [] },
      { stage: 'deploy', status: 'incomplete', durationMs: 10, published: [], exports: {}, steps: [] },
      { stage: 'later', status: 'not-run', durationMs: 0, published: [], exports: {}, steps: [] },
    ],
  });
  t.deepEqual(rows, [
    ['candidate', 'passed', '1.5s', 'ffffffffffff', 'citoid:v1, citoid:stable', 'ref=citoid:v1'],
    ['deploy', 'INCOMPLETE (not verified locally)', '10ms', '-', '-', '-'],
    ['later', 'not run', '-', '-', '-', '-'],
  ]);
});
