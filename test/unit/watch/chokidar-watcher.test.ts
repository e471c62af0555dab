import { mkdir, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { isNoise } from '../../../src/engine/dev/changes.js';
import type { WatchEvent } from '../../../src/ports.js';
import { ChokidarWatcher } from '../../../src/watch/chokidar-watcher.js';
import { tempProject } from '../../helpers/tmp.js';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('reports project-relative events and never the ignored ones', async (t) => {
  const dir = await tempProject({ 'src/app.js': '1', 'node_modules/dep/index.js': 'x', 'README.md': 'r' });
  const events: WatchEvent[] = [];
  const handle = new ChokidarWatcher().watch(dir, {
    ignore: (rel) => isNoise(rel) || rel === 'node_modules' || rel.startsWith('node_modules/'),
    onEvent: (event) => events.push(event),
    onError: (error) => t.fail(error.message),
  });
  await handle.ready;
  await writeFile(path.join(dir, 'src/app.js'), '2');
  await writeFile(path.join(dir, 'src/.app.js.swp'), 'vim');
  await writeFile(path.join(dir, 'node_modules/dep/index.js'), 'y');
  await mkdir(path.join(dir, '.git'), { recursive: true });
  await writeFile(path.join(dir, '.git/index'), 'g');
  await writeFile(path.join(dir, 'src/new.js'), 'n');
  await rm(path.join(dir, 'README.md'));
  await settle(400);
  await handle.close();
  const seen = events.map((e) => `${e.kind} ${e.path}`).sort();
  t.deepEqual(seen, ['add src/new.js', 'change src/app.js', 'unlink README.md']);
  t.true(events.every((e) => typeof e.at === 'number'));
});
