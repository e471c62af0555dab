/**
 * One iteration of the dev loop: reload the plan when a spec changed, decide (steps.ts), then
 * carry the steps out, overlapping what does not depend on each other: the new version is served
 * first (sync, or build → redeploy); the unit-test image builds beside the redeploy; then the
 * unit tests (from the already-built image) and the e2e suite run side by side. Reports every step as events; never throws: it returns a result the loop applies.
 */
import path from 'node:path';
import { toDevpipeError } from '../../errors.js';
import type { Deployment, SyncCopy } from '../targets/types.js';
import type { ChangeSet } from './changes.js';
import { STOPPING, type Busy, type IterationPorts } from './deps.js';
import type { DevPlan } from './plan.js';
import { buildAndRedeploy, type RebuildState } from './redeploy.js';
import { nextSteps, unsynced, type Steps, type SyncStep } from './steps.js';
import { buildTestImage, runE2e, runUnitTests, testsStarted } from './suites.js';

export { restartsAfterSync } from './steps.js';

export interface IterationInput {
  n: number;
  /** The files (or `key r`) that triggered it. */
  reason: string[];
  changes: ChangeSet;
  rebuildAll: boolean;
  plan: DevPlan;
  deployment: Deployment;
  /** Filled in while it works: what a newer change can make stale. */
  busy: Busy;
  signal: AbortSignal;
}

export interface IterationResult {
  outcome: 'ok' | 'failed' | 'cancelled';
  detail: string;
  /** The plan from now on (reloaded when a spec changed and loaded). */
  plan: DevPlan;
  /** What runs from now on (the last good version when the new one was rolled back). */
  deployment: Deployment;
  /** Files to work on again (a cancelled iteration hands its files back). */
  handBack: string[];
  /** What it decided (undefined when it failed before deciding, e.g. a broken spec). */
  steps?: Steps | undefined;
}

/** Copies into the running services; returns the keys that found no running container, and notes. */
async function syncAll(ports: IterationPorts, plan: DevPlan, syncs: readonly SyncStep[]): Promise<{ missed: string[]; notes: string[]; services: string[] }> {
  const missed: string[] = [];
  const notes: string[] = [];
  const services: string[] = [];
  for (const step of syncs) {
    const started = Date.now();
    const copies: SyncCopy[] = step.copies.map((c) => ({ hostPath: path.join(ports.root, c.file), ...c.target }));
    let synced = true;
    for (const { service, restart } of step.services) {
      ports.views.set(service, { state: 'syncing' });
      // A server that loaded the old code keeps serving it: its process restarts (no stop timeout).
      if (!(await ports.target.syncer.sync(plan.config.project, service, copies, restart))) {
        synced = false;
        break;
      }
    }
    if (!synced) {
      missed.push(step.key);
      continue;
    }
    const durationMs = Date.now() - started;
    for (const { service, restart } of step.services) {
      const how = restart ? 'synced, process restarted' : 'synced, reloads itself (sync.restart: false)';
      ports.views.set(service, { state: 'running', detail: how, lastBuild: { at: new Date().toISOString(), reason: [...step.files], durationMs, result: 'synced' } });
      services.push(service);
    }
    notes.push(...step.services.filter((s) => s.restart).map((s) => `${s.service} (restarted)`), ...step.services.filter((s) => !s.restart).map((s) => `${s.service} (not restarted: reloads itself)`));
  }
  return { missed, notes, services };
}

/**
 * Starts building the unit-test image beside the rest; `stop()` ends it when it is no longer
 * needed. Its inputs join the iteration's busy keys only once the tests' turn comes: a change
 * only the tests read never cancels the service images' build or redeploy.
 */
function startTestBuild(ports: IterationPorts, plan: DevPlan, signal: AbortSignal) {
  const own = new AbortController();
  const image = buildTestImage(ports.target, plan, AbortSignal.any([signal, own.signal]));
  const settled = image.then(
    () => undefined,
    () => undefined,
  );
  return {
    image,
    async stop(): Promise<void> {
      own.abort();
      await settled;
    },
  };
}

/** Settles both; rethrows the first failure once both ended (nothing is left running behind). */
async function bothSettled<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

export async function runIteration(ports: IterationPorts, input: IterationInput): Promise<IterationResult> {
  const { bus, options } = ports;
  const { n, reason, changes, signal, busy } = input;
  const started = Date.now();
  const files = [...changes.specs, ...[...changes.affected.values()].flat()];
  let plan = input.plan;
  const state: RebuildState = { deployment: input.deployment };
  let steps: Steps | undefined;
  const end = (outcome: IterationResult['outcome'], detail: string, handBack: string[] = []): IterationResult => {
    bus.emit('dev:iteration', { n, phase: 'end', reason, outcome, durationMs: Date.now() - started, detail });
    return { outcome, detail, plan, deployment: state.deployment, handBack, steps };
  };
  bus.emit('dev:iteration', { n, phase: 'start', reason });
  let testBuild: ReturnType<typeof startTestBuild> | undefined;
  try {
    if (changes.specs.length > 0) plan = await options.reload();
    steps = nextSteps(
      {
        plan,
        syncAsked: options.sync,
        targetSyncs: ports.target.syncer.available,
        restartAfterSync: options.restartAfterSync,
        tests: options.tests,
        e2eAfterDeploy: options.e2eAfterDeploy,
        hasSuite: state.deployment.model.suite !== undefined || plan.config.e2e !== undefined,
      },
      { changes, rebuildAll: input.rebuildAll },
    );
    const synced = await syncAll(ports, plan, steps.sync);
    steps = unsynced(steps, synced.missed);
    // The test image builds beside the redeploy (mostly waiting), not beside the service images:
    // on a small machine two builds at once would delay the new version being served.
    const wantsTests = steps.tests && steps.testImage !== undefined;
    const built = () => {
      if (wantsTests && !testBuild) testBuild = startTestBuild(ports, plan, signal);
    };
    const redeployed = await buildAndRedeploy(ports, plan, state, steps.build, steps.reasons, { busy, signal, built });
    // The new version is served: now the suites, side by side.
    const deployment = state.deployment;
    const runsE2e = steps.e2e && redeployed.length > 0 && deployment.model.suite !== undefined;
    const tests = testBuild
      ? (async () => {
          testsStarted(ports, plan);
          busy.set('tests', plan.tests ? [plan.tests.key] : []);
          try {
            return await runUnitTests(ports, plan, testBuild.image, signal);
          } finally {
            busy.set('tests', []);
          }
        })()
      : Promise.resolve(undefined);
    const e2e = runsE2e ? runE2e(ports.target, plan, deployment, `dev-${n}-${Date.now().toString(36)}`, signal) : Promise.resolve(undefined);
    const [ranTests, e2ePassed] = await bothSettled(tests, e2e);
    const done = [
      redeployed.length > 0 ? `redeployed ${redeployed.join(', ')}` : '',
      synced.notes.length > 0 ? `synced into ${synced.notes.join(', ')}` : '',
      redeployed.length + synced.services.length === 0 ? 'no image changed' : '',
      ranTests === undefined ? '' : ranTests ? 'tests passed' : 'tests FAILED',
      e2ePassed === undefined ? '' : e2ePassed ? 'e2e passed' : 'e2e FAILED',
    ].filter(Boolean);
    return end(ranTests === false || e2ePassed === false ? 'failed' : 'ok', done.join('; '));
  } catch (error) {
    await testBuild?.stop();
    if (signal.aborted) return end('cancelled', signal.reason === STOPPING ? 'dev is stopping' : 'a newer change arrived; building again with it', files);
    const failure = toDevpipeError(error);
    bus.emit('message', { level: 'error', text: [failure.message, ...failure.details].join('\n') });
    return end('failed', failure.message);
  }
}
