/**
 * The dev loop on recording fakes (test/fakes/dev.ts), for the loop's unit tests: a loop, its
 * target, watcher and events, and small helpers to save files and wait for iterations.
 */
import type { DevOptions } from '../../src/engine/dev/deps.js';
import { DevLoop } from '../../src/engine/dev/loop.js';
import type { DevPlan } from '../../src/engine/dev/plan.js';
import { EventBus, type DevpipeEvent } from '../../src/engine/events.js';
import { devPlan, FakeDevTarget, FakeFingerprints, FakeWatcher, simpleMatcher } from '../fakes/dev.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

export function setup(options: Partial<DevOptions> = {}, plan: DevPlan = devPlan(), syncs = true) {
  const target = new FakeDevTarget(syncs);
  const watcher = new FakeWatcher();
  const prints = new FakeFingerprints();
  const bus = new EventBus();
  const events: DevpipeEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const reloaded: DevPlan[] = [];
  const loop = new DevLoop(
    { target, watcher, fingerprints: prints, root: '/project' },
    bus,
    plan,
    {
      reload: async () => {
        const next = devPlan({ revision: `r${reloaded.length + 2}` });
        reloaded.push(next);
        return next;
      },
      matcher: simpleMatcher,
      tests: true,
      e2eAfterDeploy: false,
      sync: true,
      logs: true,
      debounce: { quietMs: 5, capMs: 50 },
      ...options,
    },
    new AbortController().signal,
  );
  /** Saves a file; `keys` are the images whose content it changes (their next build gets a new tag). */
  const edit = (file: string, content: string, ...keys: string[]) => {
    prints.files.set(file, content);
    for (const key of keys) target.versions.set(key, (target.versions.get(key) ?? 0) + 1);
    watcher.push(file);
  };
  const ends = () => events.filter((e): e is Extract<DevpipeEvent, { type: 'dev:iteration' }> => e.type === 'dev:iteration' && e.phase === 'end');
  const starts = () => events.filter((e): e is Extract<DevpipeEvent, { type: 'dev:iteration' }> => e.type === 'dev:iteration' && e.phase === 'start');
  const ended = (count: number) => until(() => ends().length >= count, `${count} iteration(s) to end`);
  const lastView = (service: string) => events.filter((e): e is Extract<DevpipeEvent, { type: 'dev:service' }> => e.type === 'dev:service' && e.service === service).at(-1);
  const messages = (level: string) => events.filter((e): e is Extract<DevpipeEvent, { type: 'message' }> => e.type === 'message' && e.level === level).map((e) => e.text);
  const since = (mark: number) => target.calls.slice(mark);
  return { target, watcher, loop, events, reloaded, edit, ends, starts, ended, lastView, messages, since };
}

