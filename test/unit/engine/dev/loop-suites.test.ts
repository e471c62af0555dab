/**
 * The dev loop's suites on recording fakes: unit tests after the served redeploy from a test
 * image built beside it, cancelled when a newer save makes them stale; unchanged content; keys r and e.
 */
import test from 'ava';
import { API, devPlan, TEST, WEB } from '../../../fakes/dev.js';
import { setup, sleep, until } from '../../../helpers/dev-loop.js';

test('tests run after the redeploy is served, from the test image built beside the redeploy', async (t) => {
  const { target, loop, edit, ends, ended, since } = setup();
  await loop.start();
  t.true(target.calls.includes(`unit tests ${TEST}:v0`), 'the tests ran once at start');
  const mark = target.calls.length;
  const settle = target.hold('settle');
  edit('package.json', '{"v":1}', API, TEST);
  await until(() => since(mark).includes(`built ${TEST}`), 'the test image to build while the new api settles');
  t.deepEqual(since(mark).filter((c) => /^(build|built|redeploy|served|unit tests)/.test(c)), [
    `build ${API} scan=true`,
    `built ${API}`,
    `build ${TEST} scan=false`,
    `redeploy ${API}:v1`,
    `built ${TEST}`,
  ], 'the test image (unscanned) builds once the service image is built, beside the redeploy; no second build competes with the service image');
  settle();
  await ended(1);
  const after = since(mark);
  t.true(after.indexOf(`unit tests ${TEST}:v1`) > after.indexOf(`served ${API}:v1`), 'the user sees the new version first');
  t.is(ends()[0]?.detail, 'redeployed api; tests passed');
  await loop.stop();
});

test('a newer save cancels tests it makes stale; the rerun serves and tests the newest version', async (t) => {
  const { target, loop, edit, ends, ended } = setup();
  await loop.start();
  const release = target.hold('tests');
  edit('package.json', '{"v":1}', API, TEST);
  await until(() => target.calls.includes(`unit tests ${TEST}:v1`), 'the tests to start');
  edit('package.json', '{"v":2}', API, TEST);
  await until(() => ends().length >= 1, 'the first iteration to end');
  release();
  await ended(2);
  t.deepEqual(ends().map((e) => e.outcome), ['cancelled', 'ok']);
  t.is(loop.deployment?.tags.get(API), `${API}:v2`, 'the cancelled iteration\'s served version was kept, then replaced');
  t.true(target.calls.includes(`unit tests ${TEST}:v2`));
  await loop.stop();
});

test('a change only the tests read does not cancel the service build; it runs the tests next', async (t) => {
  const { target, loop, edit, ends, ended, starts, since } = setup();
  await loop.start();
  const mark = target.calls.length;
  const release = target.hold('build');
  edit('package.json', '{"v":1}', API, TEST);
  await until(() => since(mark).some((c) => c.startsWith('build')), 'the build to start');
  edit('test/app.test.js', 'more tests', TEST);
  await sleep(40);
  release();
  await ended(2);
  t.deepEqual(ends().map((e) => e.outcome), ['ok', 'ok']);
  t.deepEqual(starts()[1]?.reason, ['test/app.test.js']);
  t.deepEqual(since(mark).filter((c) => c.startsWith(`build ${API}`)), [`build ${API} scan=true`], 'api built once');
  // The test image builds after api, so it already has the newer test file; the next iteration tests again.
  t.deepEqual(since(mark).filter((c) => c.startsWith('unit tests .')), [`unit tests ${TEST}:v2`, `unit tests ${TEST}:v2`]);
  t.is(ends()[1]?.detail, 'no image changed; tests passed');
  await loop.stop();
});

test('the same content saved again, and unrelated files, build nothing', async (t) => {
  const { target, loop, edit, ends, ended } = setup({}, devPlan({ tests: false }));
  await loop.start();
  edit('package.json', '{"v":1}', API);
  await ended(1);
  const mark = target.calls.length;
  edit('package.json', '{"v":1}');
  await sleep(40);
  t.is(ends().length, 1, 'an unchanged content triggers nothing');
  edit('README.md', 'notes');
  await ended(2);
  t.is(ends()[1]?.outcome, 'noop');
  t.deepEqual(target.calls.slice(mark), []);
  await loop.stop();
});

test('no test variant: said once at start; key r rebuilds every image; key e runs the suite', async (t) => {
  const plain = setup({}, devPlan({ tests: false }));
  await plain.loop.start();
  t.true(plain.messages('info').some((m) => /no unit tests run: the Blubber file has no `test` variant/.test(m)));
  plain.loop.rebuildAll();
  await plain.ended(1);
  t.deepEqual(plain.starts()[0]?.reason, ['(rebuild all)']);
  t.true(plain.target.calls.includes(`build ${WEB},${API} scan=true`));
  t.is(plain.ends()[0]?.detail, 'no image changed');
  await plain.loop.e2e();
  t.true(plain.messages('warn').some((m) => /no e2e suite/.test(m)));
  await plain.loop.stop();

  const suite = setup({ tests: false, e2eAfterDeploy: true, sync: false }, devPlan({ e2e: true, tests: false }));
  await suite.loop.start();
  suite.edit('www/index.html', '<html>1</html>', WEB);
  await suite.ended(1);
  const calls = suite.target.calls;
  t.true(calls.findIndex((c) => c.startsWith('e2e against')) > calls.indexOf(`served ${WEB}:v1`), 'e2e after the redeploy is served');
  t.is(suite.ends()[0]?.detail, 'redeployed web; e2e passed');
  await suite.loop.e2e();
  t.is(calls.filter((c) => c.startsWith('e2e against')).length, 2);
  await suite.loop.stop();
});
