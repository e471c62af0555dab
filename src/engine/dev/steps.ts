/**
 * The dev loop's decisions, pure: from the loop's state and a change set, what an iteration does
 * (sync into running services, build, test, run the e2e suite) and, for everything held back or
 * not done, why. The iteration carries the steps out; tests call these functions directly.
 */
import type { ChangeSet } from './changes.js';
import type { PatternMatcher } from './inputs.js';
import { inputTargets, servicesOf, suiteKey, type DevPlan } from './plan.js';
import { syncDecision, type SyncTarget } from './sync.js';

export interface LoopState {
  plan: DevPlan;
  /** Hot sync asked for (`--no-sync` turns it off). */
  syncAsked: boolean;
  /** The target can copy files into running services. */
  targetSyncs: boolean;
  /** `--restart-after-sync` / `--no-restart-after-sync`; undefined: as each service declares. */
  restartAfterSync?: boolean | undefined;
  /** Unit tests asked for (`--no-test` turns them off). */
  tests: boolean;
  /** `--e2e`: the suite runs after each redeploy. */
  e2eAfterDeploy: boolean;
  /** What runs now has an e2e suite. */
  hasSuite: boolean;
}

export interface ChangeInput {
  changes: ChangeSet;
  /** Key `r`: every image is rebuilt and redeployed, nothing synced. */
  rebuildAll?: boolean;
}

/** Files copied into the running services of one image instead of rebuilding it. */
export interface SyncStep {
  key: string;
  files: string[];
  copies: { file: string; target: SyncTarget }[];
  /** Each service of the image, and whether its process restarts after the copy. */
  services: { service: string; restart: boolean }[];
}

/** A step not taken now, or taken later than the others, and why. */
export interface HeldBack {
  step: string;
  reason: string;
}

export interface Steps {
  /** Build key → the changed files that concern it (the reason shown to the user). */
  reasons: Map<string, string[]>;
  sync: SyncStep[];
  /** Images to build before the redeploy (service images and the e2e suite's image). */
  build: string[];
  /** The unit-test image, built beside the others (its container starts after the redeploy). */
  testImage?: string | undefined;
  /** Run the unit tests once the new version is served (after the redeploy or the sync). */
  tests: boolean;
  /** Run the e2e suite once a redeploy is served (only when an image really changed). */
  e2e: boolean;
  held: HeldBack[];
}

/**
 * Whether a service's process restarts after a hot sync: `--restart-after-sync` /
 * `--no-restart-after-sync` for every service, else the service's `sync.restart` (default true).
 */
export function restartsAfterSync(plan: DevPlan, service: string, flag: boolean | undefined): boolean {
  if (flag !== undefined) return flag;
  return plan.config.services.find((s) => s.name === service)?.syncRestart ?? true;
}

function reasonsOf(plan: DevPlan, input: ChangeInput): Map<string, string[]> {
  const { changes } = input;
  if (input.rebuildAll) return new Map(plan.builds.map((b) => [b.key, ['(rebuild all)']]));
  if (changes.specs.length === 0) return new Map([...changes.affected].map(([key, files]) => [key, [...files]]));
  // A spec changed: everything is recompiled and rebuilt (content-addressed: what did not change is not redeployed).
  const every = [...plan.builds, ...(plan.tests ? [plan.tests] : [])];
  return new Map(every.map((b) => [b.key, [...new Set([...changes.specs, ...(changes.affected.get(b.key) ?? [])])]]));
}

/** Why an image's changed files cannot be synced into its running services (undefined: they can). */
function syncBlocked(state: LoopState, input: ChangeInput, key: string, files: readonly string[]): string | undefined {
  if (input.rebuildAll) return 'rebuild all asked: rebuilding';
  if (input.changes.specs.length > 0) return 'a spec file changed: rebuilding';
  if (!state.syncAsked) return 'hot sync is off (--no-sync): rebuilding';
  if (!state.targetSyncs) return 'target has no hot path: rebuilding';
  const build = state.plan.builds.find((b) => b.key === key);
  if (!build) return 'not built here: rebuilding';
  for (const file of files) {
    const decision = syncDecision(build.stages, file, build.image.buildArgs);
    if (!decision.sync) return `${file}: ${decision.reason}: rebuilding`;
  }
  return files.length === 0 ? 'no file to copy: rebuilding' : undefined;
}

function syncStep(state: LoopState, key: string, files: readonly string[]): SyncStep {
  const build = state.plan.builds.find((b) => b.key === key);
  const copies = files.flatMap((file) => {
    const decision = build ? syncDecision(build.stages, file, build.image.buildArgs) : undefined;
    return decision?.sync ? [{ file, target: decision.target }] : [];
  });
  const services = servicesOf(state.plan, key).map((service) => ({ service, restart: restartsAfterSync(state.plan, service, state.restartAfterSync) }));
  return { key, files: [...files], copies, services };
}

/** Tests and e2e: whether they run, and why they wait or do not run. */
function suiteSteps(state: LoopState, steps: Omit<Steps, 'tests' | 'e2e' | 'testImage'>): Pick<Steps, 'tests' | 'e2e' | 'testImage'> & { held: HeldBack[] } {
  const held: HeldBack[] = [];
  const { plan } = state;
  let tests = false;
  let testImage: string | undefined;
  if (!state.tests) held.push({ step: 'unit tests', reason: 'unit tests are off (--no-test)' });
  else if (!plan.tests) held.push({ step: 'unit tests', reason: 'no test variant' });
  else if (steps.reasons.size > 0) {
    tests = true;
    testImage = plan.tests.key;
    held.push({ step: 'unit tests', reason: steps.build.length > 0 ? 'tests wait for the redeploy' : 'tests wait for the sync' });
  }
  let e2e = false;
  if (state.e2eAfterDeploy) {
    if (!state.hasSuite) held.push({ step: 'e2e', reason: 'this stack has no e2e suite' });
    else if (steps.build.every((key) => key === suiteKey(plan))) held.push({ step: 'e2e', reason: 'e2e runs after a redeploy; no service image is rebuilt' });
    else {
      e2e = true;
      held.push({ step: 'e2e', reason: 'e2e waits for the redeploy (and runs only when an image changed)' });
    }
  }
  return { tests, testImage, e2e, held };
}

/** What an iteration does for these changes, with a reason for everything held back. */
export function nextSteps(state: LoopState, input: ChangeInput): Steps {
  const { plan } = state;
  const reasons = reasonsOf(plan, input);
  const held: HeldBack[] = [];
  const sync: SyncStep[] = [];
  const build: string[] = [];
  const suite = suiteKey(plan);
  for (const [key, files] of reasons) {
    if (servicesOf(plan, key).length === 0) {
      // The e2e suite's image is built (not deployed); the unit-test image is the tests' business.
      if (key === suite) build.push(key);
      else if (key !== plan.tests?.key) held.push({ step: `build ${key}`, reason: 'no service runs this image' });
      continue;
    }
    const blocked = syncBlocked(state, input, key, files);
    if (blocked === undefined) sync.push(syncStep(state, key, files));
    else {
      held.push({ step: `sync ${key}`, reason: blocked });
      build.push(key);
    }
  }
  const base = { reasons, sync, build, held };
  const suites = suiteSteps(state, base);
  return { ...base, tests: suites.tests, testImage: suites.testImage, e2e: suites.e2e, held: [...held, ...suites.held] };
}

/** The syncs that found no running container: their images are rebuilt instead. */
export function unsynced(steps: Steps, keys: readonly string[]): Steps {
  if (keys.length === 0) return steps;
  const build = [...steps.build, ...keys.filter((k) => !steps.build.includes(k))];
  const held = [
    ...steps.held.map((h) => (h.step === 'unit tests' && h.reason === 'tests wait for the sync' ? { ...h, reason: 'tests wait for the redeploy' } : h)),
    ...keys.map((key) => ({ step: `sync ${key}`, reason: 'no running container to sync into: rebuilding' })),
  ];
  return { ...steps, sync: steps.sync.filter((s) => !keys.includes(s.key)), build, held };
}

/**
 * Whether newer changes make the running iteration's work stale: a spec file changed, or a file
 * that an image it is still working towards (building, settling, testing) reads.
 */
export function isStale(plan: DevPlan, matcher: PatternMatcher, busy: Iterable<string>, paths: readonly string[]): boolean {
  const keys = [...busy];
  if (keys.length === 0) return false;
  const targets = inputTargets(plan, matcher);
  return paths.some((p) => plan.specFiles.includes(p) || keys.some((key) => targets.get(key)?.(p)));
}
