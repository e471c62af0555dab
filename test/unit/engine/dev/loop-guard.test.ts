/**
 * Issue 15, item 2: the loop guard never mutes a person. Cancelled iterations do not count, a
 * person saving at an editor's pace is never muted, only a proven self-trigger is (the file
 * changes right after each iteration and stays quiet while the guard holds a build back), and a
 * later manual save unmutes it.
 */
import test from 'ava';
import { LoopGuard } from '../../../../src/engine/dev/loop-guard.js';

/**
 * Drives the guard as the loop does: a save at `at` triggers an iteration (after the debounce)
 * unless held; an iteration takes `duration`. Returns what was muted and how many were held.
 */
function person(intervalMs: number, saves: number, durationMs: number, debounceMs = 150) {
  const guard = new LoopGuard();
  let muted: string[] = [];
  let held = 0;
  let busyUntil = 0;
  for (let i = 0; i < saves; i++) {
    const at = 10_000 + i * intervalMs;
    const start = Math.max(at + debounceMs, busyUntil);
    const allowed = guard.admit(['src/app.js'], at).files;
    if (allowed.length === 0) continue;
    const verdict = guard.check(allowed, at, at, start);
    muted = [...muted, ...verdict.muted];
    if (verdict.holdMs) {
      held++;
      continue;
    }
    busyUntil = start + durationMs;
    guard.iterationEnded(busyUntil);
  }
  return { muted, held, guard };
}

test('14 saves 0.5 s apart (a person typing with autosave) are never muted', (t) => {
  t.deepEqual(person(500, 14, 100).muted, []);
  t.deepEqual(person(500, 60, 250).muted, []);
});

test('14 saves 0.9 s apart (an editor\'s autosave) are never muted', (t) => {
  t.deepEqual(person(900, 14, 300).muted, []);
  t.deepEqual(person(900, 60, 600).muted, []);
});

test('cancelled iterations do not count: 200 saves 50 ms apart never mute', (t) => {
  const guard = new LoopGuard();
  for (let i = 0; i < 200; i++) {
    const at = 10_000 + i * 50;
    const verdict = guard.check(guard.admit(['src/app.js'], at).files, at, at, at + 20);
    t.deepEqual(verdict.muted, []);
    guard.iterationEnded(at + 40, false);
  }
  t.deepEqual([...guard.muted], []);
});

test('a proven self-trigger (changes right after every iteration, quiet while held) is muted, and a later manual save unmutes it', (t) => {
  const guard = new LoopGuard();
  let now = 10_000;
  let muted: string[] = [];
  let holds = 0;
  for (let i = 0; i < 30 && muted.length === 0; i++) {
    const changedAt = now + 50; // the service writes 50 ms after each iteration ends
    let verdict = guard.check(guard.admit(['gen/out.json'], changedAt).files, changedAt, changedAt, changedAt + 150);
    if (verdict.holdMs) {
      holds++;
      // Nobody saves during the hold; the loop asks again when it ends.
      const after = changedAt + 150 + verdict.holdMs;
      verdict = guard.check(['gen/out.json'], changedAt, changedAt, after);
      t.is(verdict.holdMs, undefined);
      now = after + 100;
    } else now = changedAt + 250;
    muted = verdict.muted;
    if (muted.length === 0) guard.iterationEnded(now);
  }
  t.is(holds, 1);
  t.deepEqual(muted, ['gen/out.json']);
  t.deepEqual(guard.admit(['gen/out.json'], now + 100).files, [], 'its own writes right after an iteration stay muted');
  const manual = guard.admit(['gen/out.json'], now + 5000);
  t.deepEqual(manual.files, ['gen/out.json']);
  t.deepEqual(manual.unmuted, ['gen/out.json']);
  t.deepEqual([...guard.muted], []);
});

test('a person saving during the hold is told apart from a loop: nothing muted', (t) => {
  const guard = new LoopGuard();
  let now = 10_000;
  let verdict;
  for (let i = 0; i < 12; i++) {
    const at = now + 50;
    verdict = guard.check(['src/app.js'], at, at, at + 150);
    if (verdict.holdMs) {
      // A save arrives during the hold.
      verdict = guard.check(['src/app.js'], at, at + 400, at + 150 + verdict.holdMs);
      t.deepEqual(verdict, { muted: [] });
      break;
    }
    now = at + 250;
    guard.iterationEnded(now);
  }
  t.deepEqual([...guard.muted], []);
});
