import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { isNoise } from '../../../src/engine/dev/changes.js';
import type { WatchEvent } from '../../../src/ports.js';
import { ChokidarWatcher } from '../../../src/watch/chokidar-watcher.js';
import { FsWatcher } from '../../../src/watch/fs-watcher.js';
import { tempProject } from '../../helpers/tmp.js';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const [name, make] of [
  ['FsWatcher', () => new FsWatcher()],
  ['ChokidarWatcher', () => new ChokidarWatcher()],
] as const) {
  test(`${name}: project-relative events, ignored paths never reported, new directories watched, atomic saves`, async (t) => {
    const dir = await tempProject({ 'src/app.js': '1', 'node_modules/dep/index.js': 'x', 'README.md': 'r' });
    const events: WatchEvent[] = [];
    const handle = make().watch(dir, {
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
    await rm(path.join(dir, 'README.md'));
    await mkdir(path.join(dir, 'lib'));
    await settle(200);
    await writeFile(path.join(dir, 'lib/new.js'), 'n');
    // An editor's atomic save: write a temp file, rename it over the original.
    await writeFile(path.join(dir, 'src/app.js.tmp'), '3');
    await rename(path.join(dir, 'src/app.js.tmp'), path.join(dir, 'src/app.js'));
    await settle(500);
    await handle.close();
    // A new file may come as add then change: both mean "written".
    const seen = new Set(events.filter((e) => !e.kind.endsWith('Dir')).map((e) => `${e.kind === 'unlink' ? 'unlink' : 'write'} ${e.path}`));
    t.deepEqual([...seen].sort(), ['unlink README.md', 'write lib/new.js', 'write src/app.js']);
  });
}
