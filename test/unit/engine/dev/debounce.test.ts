import test from 'ava';
import { addEvent, Debouncer, fireAt, type Clock } from '../../../../src/engine/dev/debounce.js';
import { LoopGuard } from '../../../../src/engine/dev/loop-guard.js';

test('fires a quiet window after the last event', (t) => {
  t.is(fireAt({ firstAt: 0, lastAt: 0 }, { quietMs: 80, capMs: 1000 }), 80);
  t.is(fireAt({ firstAt: 0, lastAt: 500 }, { quietMs: 80, capMs: 1000 }), 580);
});

test('steady writes cannot postpone the batch past the cap', (t) => {
  t.is(fireAt({ firstAt: 0, lastAt: 990 }, { quietMs: 80, capMs: 1000 }), 1000);
  t.deepEqual(addEvent(addEvent(undefined, 10), 50), { firstAt: 10, lastAt: 50 });
});

/** A manual clock: timers fire when the test advances time. */
class ManualClock implements Clock {
  time = 0;
  timers = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimeout(id: unknown): void {
    this.timers.delete(id as number);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
  }
}

test('a burst of 100 saves fires exactly once', (t) => {
  const clock = new ManualClock();
  let fired = 0;
  const debouncer = new Debouncer(() => fired++, { quietMs: 80, capMs: 1000 }, clock);
  for (let i = 0; i < 100; i++) {
    debouncer.touch();
    clock.advance(2);
  }
  clock.advance(100);
  t.is(fired, 1);
});

test('continuous writes still fire at the cap, then again for the rest', (t) => {
  const clock = new ManualClock();
  const firedAt: number[] = [];
  const debouncer = new Debouncer(() => firedAt.push(clock.now()), { quietMs: 80, capMs: 1000 }, clock);
  for (let i = 0; i < 30; i++) {
    debouncer.touch();
    clock.advance(50);
  }
  clock.advance(200);
  t.deepEqual(firedAt, [1000, 1530]);
});

test('cancel drops a pending batch', (t) => {
  const clock = new ManualClock();
  let fired = 0;
  const debouncer = new Debouncer(() => fired++, { quietMs: 80, capMs: 1000 }, clock);
  debouncer.touch();
  debouncer.cancel();
  clock.advance(2000);
  t.is(fired, 0);
});

test('the loop guard mutes files that change right after every iteration, once a held build proves nobody is saving', (t) => {
  const guard = new LoopGuard({ windowMs: 1000, limit: 3, holdMs: 2000 });
  const verdicts: unknown[] = [];
  let now = 0;
  for (let i = 0; i < 6; i++) {
    let verdict = guard.check(['data/out.json'], now, now, now);
    if (verdict.holdMs) {
      verdicts.push('held');
      now += verdict.holdMs; // nobody saved during the hold
      verdict = guard.check(['data/out.json'], now - verdict.holdMs, now - verdict.holdMs, now);
    }
    verdicts.push(verdict.muted);
    if (verdict.muted.length > 0) break;
    now += 5000;
    guard.iterationEnded(now);
    now += 100; // the service writes the file 100 ms after each deploy
  }
  t.deepEqual(verdicts, [[], [], [], 'held', [], ['data/out.json']]);
  t.deepEqual(guard.filter(['data/out.json', 'src/app.js']), ['src/app.js']);
});

test('the loop guard leaves changes made long after an iteration alone', (t) => {
  const guard = new LoopGuard({ windowMs: 1000, limit: 2, holdMs: 2000 });
  guard.iterationEnded(0);
  t.deepEqual(guard.check(['src/app.js'], 5000).muted, []);
  guard.iterationEnded(6000);
  t.deepEqual(guard.check(['src/app.js'], 12000).muted, []);
  guard.iterationEnded(13000);
  t.deepEqual(guard.check(['src/app.js'], 20000).muted, []);
});
