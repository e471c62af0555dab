/**
 * ChokidarWatcher (`DEVPIPE_WATCHER=chokidar`, or `poll` for polling): chokidar's per-file
 * watches, no initial events; ignored paths are pruned before they are watched. The default is
 * FsWatcher (directory watches, far less memory on large trees).
 */
import path from 'node:path';
import { watch } from 'chokidar';
import type { WatchEvent, WatchHandle, Watcher } from '../ports.js';

export class ChokidarWatcher implements Watcher {
  /** `poll`: stat polling, for network and VM-shared file systems where native events do not arrive. */
  constructor(private readonly poll = false) {}

  watch(root: string, options: Parameters<Watcher['watch']>[1]): WatchHandle {
    const absoluteRoot = path.resolve(root);
    const relative = (file: string) => path.relative(absoluteRoot, file).split(path.sep).join('/');
    const watcher = watch(absoluteRoot, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      usePolling: this.poll,
      interval: 300,
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
