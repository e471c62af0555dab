/**
 * The dev loop driven with recording fakes (a deploy target that writes down every call, a
 * watcher events are pushed into, in-memory fingerprints): start, failures, cancellation of a
 * superseded iteration, rollback, spec reload, hot sync vs rebuild, edits during the start.
 */
import test from 'ava';
import { DevpipeError } from '../../../../src/errors.js';
import { API, devPlan, TEST, WEB } from '../../../fakes/dev.js';
import { setup, sleep, until } from '../../../helpers/dev-loop.js';

test('the first start fails: start() rejects, the test build is stopped, nothing else runs', async (t) => {
  const { target, watcher, loop, edit, ends } = setup();
  target.failStart = new DevpipeError('failure', 'service "web" did not become healthy');
  target.hold('build');
  await t.throwsAsync(loop.start(), { message: /did not become healthy/ });
  edit('www/index.html', 'after the failure', WEB);
  await sleep(40);
  await loop.stop();
  t.deepEqual(target.calls, [`build ${TEST} scan=false`, 'start'], 'the unit-test image builds beside the start, unscanned; nothing after the failure');
  t.deepEqual(ends(), [], 'no iteration: there is no last good version to keep');
  t.true(watcher.closed);
  t.is(loop.deployment, undefined);
});

test('a failed first iteration is reported and the loop goes on; the last good version stays', async (t) => {
  const { target, loop, edit, ends, ended, lastView, messages } = setup({ tests: false });
  await loop.start();
  target.failBuild = new DevpipeError('failure', 'the build of api failed');
  edit('package.json', '{"v":1}', API);
  await ended(1);
  t.is(ends()[0]?.outcome, 'failed');
  t.true(messages('error').some((m) => /the build of api failed/.test(m)));
  t.regex(String(lastView('api')?.detail), /build failed; still running .*#api:v0/);
  t.is(loop.deployment?.tags.get(API), `${API}:v0`);
  target.failBuild = undefined;
  edit('package.json', '{"v":2}', API);
  await ended(2);
  t.is(ends()[1]?.outcome, 'ok');
  t.is(ends()[1]?.detail, 'redeployed api');
  t.is(loop.deployment?.tags.get(API), `${API}:v2`);
  await loop.stop();
});

test('a save superseding a settling iteration: cancelled, then run again with both files', async (t) => {
  const { target, loop, edit, ends, starts, ended, events, since } = setup({ sync: false, tests: false });
  await loop.start();
  const mark = target.calls.length;
  const release = target.hold('settle');
  edit('www/index.html', 'first', WEB);
  await until(() => target.calls.includes(`redeploy ${WEB}:v1`), 'the first redeploy');
  edit('www/other.html', 'second', WEB);
  await until(() => target.calls.includes('superseded'), 'the readiness wait to be cut short');
  release();
  await ended(2);
  t.deepEqual(ends().map((e) => e.outcome), ['cancelled', 'ok']);
  t.regex(String(ends()[0]?.detail), /newer change/);
  t.deepEqual([...(starts()[1]?.reason ?? [])].sort(), ['www/index.html', 'www/other.html'], 'the handed-back file and the new one');
  t.deepEqual(
    since(mark).filter((c) => /^(build|redeploy|served|superseded)/.test(c)),
    [`build ${WEB} scan=true`, `redeploy ${WEB}:v1`, 'superseded', `build ${WEB} scan=true`, `redeploy ${WEB}:v2`, `served ${WEB}:v2`],
  );
  t.true(events.some((e) => e.type === 'dev:service' && /superseded by a newer change/.test(String(e.detail))));
  t.is(loop.deployment?.tags.get(WEB), `${WEB}:v2`);
  await loop.stop();
});

test('rollback on failed health: the deployment stays the old one, the view says rolled back, no tests', async (t) => {
  const { target, loop, edit, ends, ended, lastView, messages, since } = setup({ sync: false });
  await loop.start();
  const mark = target.calls.length;
  target.unhealthy = true;
  edit('package.json', '{"broken":true}', API, TEST);
  await ended(1);
  t.is(ends()[0]?.outcome, 'failed');
  t.regex(String(ends()[0]?.detail), /api: the new version did not get ready; the last good version runs again/);
  t.true(messages('error').some((m) => /last good version runs again/.test(m)));
  t.is(loop.deployment?.tags.get(API), `${API}:v0`);
  const view = lastView('api');
  t.is(view?.state, 'failed');
  t.is(view?.image, `${API}:v0`);
  t.regex(String(view?.detail), /did not become healthy.*rolled back to the last good version/);
  const after = since(mark);
  t.true(after.includes('rolled back'));
  t.false(after.some((c) => c.startsWith('unit tests')), 'tests wait for a served redeploy');
  t.true(after.indexOf('logs api') > after.indexOf('rolled back'), 'logs followed again (the old version runs again)');
  await loop.stop();
});

test('a redeploy that cannot be done at all: reported, the view says so, the last good version stays', async (t) => {
  const { target, loop, edit, ends, ended, lastView } = setup({ tests: false });
  await loop.start();
  target.failRedeploy = new DevpipeError('environment', 'the cluster is unreachable');
  edit('package.json', '{"v":1}', API);
  await ended(1);
  t.is(ends()[0]?.outcome, 'failed');
  t.is(ends()[0]?.detail, 'the cluster is unreachable');
  t.is(lastView('api')?.state, 'failed');
  t.regex(String(lastView('api')?.detail), /redeploy failed: the cluster is unreachable/);
  t.is(loop.deployment?.tags.get(API), `${API}:v0`);
  await loop.stop();
});

test('spec reload: the plan is reloaded and every image rebuilt; only what changed is redeployed', async (t) => {
  const { target, loop, edit, ends, ended, reloaded, since } = setup({ tests: true });
  await loop.start();
  const mark = target.calls.length;
  edit('.pipeline/blubber.yaml', 'changed', WEB, TEST);
  await ended(1);
  t.is(reloaded.length, 1);
  t.true(loop.plan === reloaded[0], "the loop works from the reloaded plan");
  const after = since(mark);
  t.true(after.includes(`build ${WEB},${API} scan=true`), after.join('\n'));
  t.true(after.includes(`build ${TEST} scan=false`));
  t.deepEqual(after.filter((c) => c.startsWith('redeploy')), [`redeploy ${WEB}:v1`], 'api built to the same tag: not redeployed');
  t.false(after.some((c) => c.startsWith('sync')), 'a spec change never syncs');
  t.is(ends()[0]?.detail, 'redeployed web; tests passed');
  await loop.stop();
});

test('hot sync vs rebuild: a file copied last is synced; a file a builder reads is rebuilt', async (t) => {
  const { target, loop, edit, ends, ended, since } = setup({ tests: false });
  await loop.start();
  let mark = target.calls.length;
  edit('www/index.html', '<html>1</html>', WEB);
  await ended(1);
  t.deepEqual(since(mark), ['sync web /srv/app/www/index.html restart=true']);
  t.is(ends()[0]?.detail, 'synced into web (restarted)');
  mark = target.calls.length;
  edit('package.json', '{"v":1}', API);
  await ended(2);
  t.deepEqual(since(mark), ['prepare api', `build ${API} scan=true`, `built ${API}`, `redeploy ${API}:v1`, `served ${API}:v1`, 'logs api']);
  await loop.stop();
});

test('a target without a hot path, and a sync with no running container: rebuilt and redeployed', async (t) => {
  const noSync = setup({ tests: false }, devPlan(), false);
  await noSync.loop.start();
  let mark = noSync.target.calls.length;
  noSync.edit('www/index.html', '<html>1</html>', WEB);
  await noSync.ended(1);
  t.deepEqual(noSync.since(mark), ['prepare web', `build ${WEB} scan=true`, `built ${WEB}`, `redeploy ${WEB}:v1`, `served ${WEB}:v1`, 'logs web']);
  await noSync.loop.stop();

  const none = setup({ tests: false });
  await none.loop.start();
  none.target.running = false;
  mark = none.target.calls.length;
  none.edit('www/index.html', '<html>1</html>', WEB);
  await none.ended(1);
  t.deepEqual(none.since(mark), ['sync web /srv/app/www/index.html restart=true (none running)', 'prepare web', `build ${WEB} scan=true`, `built ${WEB}`, `redeploy ${WEB}:v1`, `served ${WEB}:v1`, 'logs web']);
  t.is(none.ends()[0]?.detail, 'redeployed web');
  await none.loop.stop();
});

test('edits saved during the start are not lost: built once the start is over', async (t) => {
  const { target, loop, edit, ends, ended, messages } = setup({ tests: false });
  const release = target.hold('start');
  const started = loop.start();
  await until(() => target.calls.includes('start'), 'the start');
  edit('www/index.html', '<html>during start</html>', WEB);
  await sleep(40);
  t.deepEqual(ends(), [], 'nothing runs during the start');
  release();
  await started;
  await ended(1);
  t.is(ends()[0]?.outcome, 'ok');
  t.true(target.calls.includes('sync web /srv/app/www/index.html restart=true'));
  t.true(messages('info').some((m) => /1 file\(s\) changed while dev was starting/.test(m)));
  await loop.stop();
});
