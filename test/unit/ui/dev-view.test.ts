import { PassThrough } from 'node:stream';
import test from 'ava';
import { EventBus } from '../../../src/engine/events.js';
import { DevView } from '../../../src/ui/dev-view.js';

function view() {
  const err = new PassThrough();
  let text = '';
  err.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const bus = new EventBus();
  new DevView({ json: false, verbose: false, color: false, env: {}, streams: { out: new PassThrough(), err } }).attach(bus);
  // The block is redrawn in place: the last drawing is what the user sees.
  return { bus, shown: () => text.split('─'.repeat(60)).at(-1) ?? '' };
}

test('the service block: state, image, the last build with its result, duration, time and the files that caused it, tests', (t) => {
  const { bus, shown } = view();
  const at = new Date(2026, 10, 22, 9, 5, 7).toISOString();
  bus.emit('dev:service', { service: 'web', image: 'dev-web:web-14b9d365e24d', state: 'running', health: 'healthy', lastBuild: { at, reason: ['www/index.html'], durationMs: 135, result: 'built' }, test: { at, result: 'cancelled' } });
  t.regex(shown(), /web +running +dev-web:web-14b9d365e24d healthy built in 135ms at 09:05:07 \(www\/index\.html\) tests cancelled/);
  bus.emit('dev:service', { service: 'web', image: 'x', state: 'running', health: 'unknown', detail: 'superseded by a newer change before its health check ended' });
  t.regex(shown(), /\n {4}superseded by a newer change/);
  t.regex(shown(), /keys: r rebuild all · e e2e · l logs · q quit/);
});
