/**
 * FsWatcher: native directory watches (inotify on Linux: one watch per directory, not per file;
 * FSEvents/ReadDirectoryChangesW through `recursive: true` on macOS and Windows). A 20 000-file
 * tree costs a few MB, where a per-file watcher (chokidar) costs ~180 MB. Ignored directories are
 * never watched. `DEVPIPE_WATCHER=chokidar` (or `poll`, for network file systems) selects the
 * chokidar adapter instead.
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { WatchEvent, WatchHandle, Watcher } from '../ports.js';

type Options = Parameters<Watcher['watch']>[1];

export class FsWatcher implements Watcher {
  constructor(private readonly platform: NodeJS.Platform = process.platform) {}

  watch(root: string, options: Options): WatchHandle {
    const base = path.resolve(root);
    const watchers = new Map<string, FSWatcher>();
    const known = new Map<string, 'file' | 'dir'>();
    let closed = false;
    const rel = (absolute: string) => path.relative(base, absolute).split(path.sep).join('/');
    const emit = (relative: string, kind: WatchEvent['kind']) => options.onEvent({ path: relative, kind, at: Date.now() });

    const onChange = async (dir: string, filename: string | Buffer | null) => {
      if (closed || filename === null) return;
      const absolute = path.join(dir, filename.toString());
      const relative = rel(absolute);
      if (relative === '' || relative.startsWith('..')) return;
      let stats;
      try {
        stats = await lstat(absolute);
      } catch {
        stats = undefined;
      }
      const before = known.get(relative);
      if (!stats) {
        if (!before) return;
        known.delete(relative);
        if (before === 'dir') {
          for (const [key, watcher] of watchers) {
            if (key !== absolute && !key.startsWith(`${absolute}${path.sep}`)) continue;
            watcher.close();
            watchers.delete(key);
          }
          for (const key of known.keys()) if (key.startsWith(`${relative}/`)) known.delete(key);
        }
        if (!options.ignore(relative, before === 'dir')) emit(relative, before === 'dir' ? 'unlinkDir' : 'unlink');
        return;
      }
      const isDir = stats.isDirectory();
      if (options.ignore(relative, isDir)) return;
      if (isDir) {
        if (!before) {
          known.set(relative, 'dir');
          emit(relative, 'addDir');
          await scan(absolute, true);
        }
        return;
      }
      known.set(relative, 'file');
      emit(relative, before ? 'change' : 'add');
    };

    const watchDir = (dir: string, recursive: boolean) => {
      if (watchers.has(dir)) return;
      try {
        const watcher = watch(dir, { persistent: true, recursive }, (_event, filename) => {
          const target = recursive && filename ? path.join(dir, path.dirname(filename.toString())) : dir;
          void onChange(target, filename === null ? null : path.basename(filename.toString()));
        });
        watcher.on('error', (error) => options.onError(error));
        watchers.set(dir, watcher);
      } catch (error) {
        options.onError(error as Error);
      }
    };

    const recursive = this.platform === 'darwin' || this.platform === 'win32';
    const scan = async (dir: string, announce: boolean): Promise<void> => {
      if (!recursive) watchDir(dir, false);
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const absolute = path.join(dir, entry.name);
        const relative = rel(absolute);
        const isDir = entry.isDirectory();
        if (options.ignore(relative, isDir)) continue;
        if (isDir) {
          known.set(relative, 'dir');
          if (announce) emit(relative, 'addDir');
          await scan(absolute, announce);
        } else {
          known.set(relative, 'file');
          if (announce) emit(relative, 'add');
        }
      }
    };

    const ready = (async () => {
      if (recursive) watchDir(base, true);
      await scan(base, false);
    })();
    return {
      ready,
      close: async () => {
        closed = true;
        await ready.catch(() => undefined);
        for (const watcher of watchers.values()) watcher.close();
        watchers.clear();
      },
    };
  }
}
