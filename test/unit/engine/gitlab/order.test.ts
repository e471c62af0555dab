import test from 'ava';
import { blockedBy, executionOrder, rerunJobs, parseDotenv } from '../../../../src/engine/gitlab/index.js';
import type { Outcome } from '../../../../src/engine/gitlab/order.js';
import { planFixture, push, mr } from '../../spec/gitlab/_helpers.js';

test('execution order: stages, file order, and a job never before what it needs', (t) => {
  const plan = planFixture('blubber-fdc712d', push('main', true), { vars: { CI_PROJECT_PATH: 'repos/releng/blubber' } });
  const order = executionOrder(plan.jobs).map((j) => j.name);
  t.deepEqual(order.slice(0, 5), ['lint-code', 'ensure-docs-were-generated', 'run-unit-tests', 'build-frontend-for-testing', 'build-acceptance-runner']);
  t.true(order.indexOf('build-documentation') < order.indexOf('publish-documentation'));
  const blubber = planFixture('blubber', mr('feature-x', 'main'), { vars: { CI_PROJECT_PATH: 'repos/releng/blubber' } });
  t.is(executionOrder(blubber.jobs)[0]!.name, 'test');
});

test('after a failure: on_success jobs waiting on it are skipped, always jobs run, needs limit what a job waits on', (t) => {
  const plan = planFixture('blubber-fdc712d', push('main', true), { vars: { CI_PROJECT_PATH: 'repos/releng/blubber' } });
  const job = (name: string) => plan.jobs.find((j) => j.name === name)!;
  const outcomes = new Map<string, Outcome>([['lint-code', 'failed'], ['ensure-docs-were-generated', 'passed']]);
  t.regex(blockedBy(job('run-unit-tests'), plan.jobs, outcomes)!, /`lint-code` failed or was skipped/);
  t.is(blockedBy(job('build-acceptance-runner'), plan.jobs, outcomes), undefined, 'when: always');
  t.is(blockedBy(job('publish-documentation'), plan.jobs, outcomes), undefined, 'needs only build-documentation');
  t.regex(blockedBy(job('publish-documentation'), plan.jobs, new Map([['build-documentation', 'skipped']]))!, /build-documentation/);
  t.is(blockedBy(job('run-unit-tests'), plan.jobs, new Map([['lint-code', 'allowed-failure']])), undefined, 'an allowed failure does not block');
});

test('rerun: from a job and everything after it; without --from, from the first job that did not pass', (t) => {
  const plan = planFixture('kask', push('feature-x', false));
  const order = executionOrder(plan.jobs);
  t.deepEqual([...rerunJobs(order, new Map([['run-tests', 'passed'], ['test-build-image', 'failed']]))], ['test-build-image']);
  t.deepEqual([...rerunJobs(order, new Map(), 'run-tests')], ['run-tests', 'test-build-image']);
  t.throws(() => rerunJobs(order, new Map([['run-tests', 'passed'], ['test-build-image', 'passed']])), { message: /nothing to rerun/ });
  t.throws(() => rerunJobs(order, new Map(), 'nope'), { message: /--from nope: the pipeline has no job `nope`/ });
});

test('dotenv reports: KEY=VALUE lines, quotes dropped, the last of a repeated key wins', (t) => {
  t.deepEqual(parseDotenv('A=1\n# c\nB="two words"\nA=3\nnot a line\n'), { A: '3', B: 'two words' });
});
