import test from 'ava';
import { addChanges, emptyChangeSet, type ChangeSet } from '../../../../src/engine/dev/changes.js';
import { inputTargets } from '../../../../src/engine/dev/plan.js';
import { isStale, nextSteps, unsynced, type LoopState, type Steps } from '../../../../src/engine/dev/steps.js';
import { API, devPlan, E2E, simpleMatcher, TEST, WEB } from '../../../fakes/dev.js';

const plan = devPlan();
const state: LoopState = { plan, syncAsked: true, targetSyncs: true, tests: true, e2eAfterDeploy: false, hasSuite: false };

function changesOf(files: string[], p = plan): ChangeSet {
  return addChanges(emptyChangeSet(), files, { specFiles: p.specFiles, images: inputTargets(p, simpleMatcher) });
}

function heldFor(steps: Steps, step: string): string[] {
  return steps.held.filter((h) => h.step === step).map((h) => h.reason);
}

interface Case {
  files: string[];
  state?: Partial<LoopState>;
  rebuildAll?: boolean;
  sync: string[];
  build: string[];
  tests: boolean;
  held: Record<string, string[]>;
}

const decides = test.macro({
  exec(t, c: Case) {
    const s = { ...state, ...c.state };
    const steps = nextSteps(s, { changes: changesOf(c.files, s.plan), rebuildAll: c.rebuildAll });
    t.deepEqual(steps.sync.map((x) => x.key), c.sync, 'sync');
    t.deepEqual(steps.build, c.build, 'build');
    t.is(steps.tests, c.tests, 'tests');
    for (const [step, reasons] of Object.entries(c.held)) t.deepEqual(heldFor(steps, step), reasons, step);
  },
  title: (title = '') => `nextSteps: ${title}`,
});

test('a file copied only into the final image: synced, not rebuilt; tests wait for the sync', decides, {
  files: ['www/index.html'],
  sync: [WEB],
  build: [],
  tests: true,
  held: { 'unit tests': ['tests wait for the sync'], [`sync ${WEB}`]: [] },
});

test('a file a builder reads: rebuilt, with the reason; tests wait for the redeploy', decides, {
  files: ['package.json'],
  sync: [],
  build: [API],
  tests: true,
  held: { [`sync ${API}`]: ['package.json: read by more than one build step: rebuilding'], 'unit tests': ['tests wait for the redeploy'] },
});

test('the target has no hot path: rebuilt', decides, {
  files: ['www/index.html'],
  state: { targetSyncs: false },
  sync: [],
  build: [WEB],
  tests: true,
  held: { [`sync ${WEB}`]: ['target has no hot path: rebuilding'] },
});

test('--no-sync: rebuilt', decides, {
  files: ['www/index.html'],
  state: { syncAsked: false },
  sync: [],
  build: [WEB],
  tests: true,
  held: { [`sync ${WEB}`]: ['hot sync is off (--no-sync): rebuilding'] },
});

test('a spec file: every image rebuilt (tests too), nothing synced', decides, {
  files: ['.pipeline/blubber.yaml'],
  sync: [],
  build: [WEB, API],
  tests: true,
  held: { [`sync ${WEB}`]: ['a spec file changed: rebuilding'], [`sync ${API}`]: ['a spec file changed: rebuilding'] },
});

test('key r: every image rebuilt', decides, {
  files: [],
  rebuildAll: true,
  sync: [],
  build: [WEB, API],
  tests: true,
  held: { [`sync ${WEB}`]: ['rebuild all asked: rebuilding'] },
});

test('--no-test: no tests, said why', decides, {
  files: ['package.json'],
  state: { tests: false },
  sync: [],
  build: [API],
  tests: false,
  held: { 'unit tests': ['unit tests are off (--no-test)'] },
});

test('no test variant: no tests, said why', decides, {
  files: ['package.json'],
  state: { plan: devPlan({ tests: false }) },
  sync: [],
  build: [API],
  tests: false,
  held: { 'unit tests': ['no test variant'] },
});

test('one batch, two images: web synced, api rebuilt', decides, {
  files: ['www/index.html', 'package.json'],
  sync: [WEB],
  build: [API],
  tests: true,
  held: {},
});

test('nextSteps: restart after sync follows the flag, else each service', (t) => {
  const changes = changesOf(['www/index.html']);
  t.deepEqual(nextSteps(state, { changes }).sync[0]?.services, [{ service: 'web', restart: true }]);
  t.deepEqual(nextSteps({ ...state, restartAfterSync: false }, { changes }).sync[0]?.services, [{ service: 'web', restart: false }]);
  const reloads = devPlan({ stack: 'version: v1\nproject: demo\nservices:\n  web:\n    build: web\n    sync: {restart: false}\n  api:\n    build: api\n' });
  t.deepEqual(nextSteps({ ...state, plan: reloads }, { changes: changesOf(['www/index.html'], reloads) }).sync[0]?.services, [{ service: 'web', restart: false }]);
  const copy = nextSteps(state, { changes }).sync[0]?.copies[0];
  t.is(copy?.file, 'www/index.html');
  t.is(copy?.target.containerPath, '/srv/app/www/index.html');
});

test('nextSteps: e2e after a redeploy only, said why otherwise', (t) => {
  const withSuite = devPlan({ e2e: true });
  const s = { ...state, plan: withSuite, e2eAfterDeploy: true, hasSuite: true };
  const rebuilt = nextSteps(s, { changes: changesOf(['package.json'], withSuite) });
  t.true(rebuilt.e2e);
  t.deepEqual(heldFor(rebuilt, 'e2e'), ['e2e waits for the redeploy (and runs only when an image changed)']);
  const synced = nextSteps(s, { changes: changesOf(['www/index.html'], withSuite) });
  t.false(synced.e2e);
  t.deepEqual(heldFor(synced, 'e2e'), ['e2e runs after a redeploy; no service image is rebuilt']);
  const suiteOnly = nextSteps(s, { changes: changesOf(['e2e/run.sh'], withSuite) });
  t.deepEqual(suiteOnly.build, [E2E], 'the suite image is rebuilt, not synced');
  t.false(suiteOnly.e2e);
  const none = nextSteps({ ...state, e2eAfterDeploy: true }, { changes: changesOf(['package.json']) });
  t.false(none.e2e);
  t.deepEqual(heldFor(none, 'e2e'), ['this stack has no e2e suite']);
});

test('nextSteps: the test image builds beside the others; a file only the tests read runs the tests', (t) => {
  const steps = nextSteps(state, { changes: changesOf(['test/app.test.js']) });
  t.deepEqual([...steps.reasons.keys()], [TEST]);
  t.deepEqual(steps.build, []);
  t.is(steps.testImage, TEST);
  t.true(steps.tests);
});

test('unsynced: no running container to sync into: rebuilt instead', (t) => {
  const steps = unsynced(nextSteps(state, { changes: changesOf(['www/index.html']) }), [WEB]);
  t.deepEqual(steps.sync, []);
  t.deepEqual(steps.build, [WEB]);
  t.deepEqual(heldFor(steps, `sync ${WEB}`), ['no running container to sync into: rebuilding']);
  t.deepEqual(heldFor(steps, 'unit tests'), ['tests wait for the redeploy']);
});

test('isStale: a spec file, or an input of what is still being worked on', (t) => {
  t.false(isStale(plan, simpleMatcher, [], ['www/index.html']), 'nothing in progress');
  t.true(isStale(plan, simpleMatcher, [WEB], ['www/index.html']));
  t.false(isStale(plan, simpleMatcher, [WEB], ['package.json']), 'web does not read it');
  t.true(isStale(plan, simpleMatcher, [API], ['.pipeline/devpipe.yaml']));
  t.true(isStale(plan, simpleMatcher, [TEST], ['package.json']));
});
