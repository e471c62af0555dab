/**
 * The dev loop's suites: the unit-test image (built beside the service images, never scanned
 * unless it is deployed too: no secret is mounted into it) run in a container once the new
 * version is served, and the e2e suite against what runs now. Reported as tasks and in the views.
 */
import { toDevpipeError } from '../../errors.js';
import type { EventBus } from '../events.js';
import type { Deployment, DevTarget } from '../targets/types.js';
import { servicesOf, type DevPlan } from './plan.js';
import type { ServiceViews } from './views.js';
import { STOPPING } from './deps.js';

export interface SuitePorts {
  target: DevTarget;
  bus: EventBus;
  views: ServiceViews;
}

/** Builds the unit-test image; its content tag (undefined when the plan has no tests). */
export async function buildTestImage(target: DevTarget, plan: DevPlan, signal: AbortSignal): Promise<string | undefined> {
  const tests = plan.tests;
  if (!tests) return undefined;
  // Scanned only when a service runs it too (a secret may be mounted there).
  const deployed = plan.builds.some((b) => b.key === tests.key);
  const built = await target.images.build(plan, [tests.key], { scan: deployed, signal });
  return built.get(tests.key)?.contentTag;
}

/** The services whose view shows the tests' result: the tests check the repository's code. */
function testedServices(plan: DevPlan): string[] {
  return [...new Set(plan.builds.flatMap((b) => servicesOf(plan, b.key)))];
}

/** Marks the tests as running in every view (from when their phase starts). */
export function testsStarted(ports: SuitePorts, plan: DevPlan): void {
  const at = new Date().toISOString();
  for (const service of testedServices(plan)) ports.views.set(service, { test: { at, result: 'running' } });
}

/**
 * Runs the unit tests from their built image (`image`, or the build's rejection); true when they
 * passed. Throws when they could not run, or were cancelled (views say so).
 */
export async function runUnitTests(ports: SuitePorts, plan: DevPlan, image: Promise<string | undefined>, signal: AbortSignal): Promise<boolean> {
  const tests = plan.tests;
  if (!tests) return true;
  const services = testedServices(plan);
  const mark = (result: 'passed' | 'failed' | 'cancelled') => {
    for (const service of services) ports.views.set(service, { test: { at: new Date().toISOString(), result } });
  };
  const id = `test:${tests.image.variant}`;
  let started: number | undefined;
  try {
    const tag = await image;
    if (!tag) return true;
    ports.bus.emit('task:start', { id, title: `unit tests (${tests.image.variant})` });
    started = Date.now();
    const exitCode = await ports.target.suites.unitTests(plan.config.project, tag, {
      signal,
      onOutput: (line, stream) => ports.bus.emit('task:log', { id, line, stream }),
    });
    const passed = exitCode === 0;
    ports.bus.emit('task:end', { id, status: passed ? 'ok' : 'failed', durationMs: Date.now() - started, detail: passed ? undefined : `exit code ${exitCode}` });
    mark(passed ? 'passed' : 'failed');
    return passed;
  } catch (error) {
    const cancelled = signal.aborted;
    if (started !== undefined) {
      ports.bus.emit('task:end', { id, status: cancelled ? 'skipped' : 'failed', durationMs: Date.now() - started, detail: cancelled ? (signal.reason === STOPPING ? 'cancelled: dev is stopping' : 'cancelled: a newer change arrived') : toDevpipeError(error).message });
    }
    if (cancelled) mark('cancelled');
    throw error;
  }
}

/** Runs the e2e suite against what runs now; true when it passed. */
export async function runE2e(target: DevTarget, plan: DevPlan, deployment: Deployment, run: string, signal: AbortSignal): Promise<boolean> {
  return (await target.suites.e2e(plan, deployment, run, signal)) === 0;
}
