/**
 * ChokidarWatcher: native fs events (inotify/FSEvents), no polling, no initial events. Ignored
 * paths are pruned before they are watched, so a large ignored tree costs nothing.
 */
import path from 'node:path';
import { watch } from 'chokidar';
import type { WatchEvent, WatchHandle, Watcher } from '../ports.js';

export class ChokidarWatcher implements Watcher {
  watch(root: string, options: Parameters<Watcher['watch']>[1]): WatchHandle {
    const absoluteRoot = path.resolve(root);
    const relative = (file: string) => path.relative(absoluteRoot, file).split(path.sep).join('/');
    const watcher = watch(absoluteRoot, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      ignored: (file, stats) => {
        const rel = relative(file);
        if (rel === '' || rel.startsWith('..')) return false;
        return options.ignore(rel, stats?.isDirectory() ?? false);
      },
    });
    const emit = (kind: WatchEvent['kind']) => (file: string) => options.onEvent({ path: relative(file), kind, at: Date.now() });
    watcher.on('add', emit('add'));
    watcher.on('change', emit('change'));
    watcher.on('unlink', emit('unlink'));
    watcher.on('addDir', emit('addDir'));
    watcher.on('unlinkDir', emit('unlinkDir'));
    watcher.on('error', (error) => options.onError(error instanceof Error ? error : new Error(String(error))));
    const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    return { ready, close: () => watcher.close() };
  }
}
