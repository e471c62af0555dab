/** ProjectReader on the local disk: the project directory, read only. */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Containment, ProjectReader } from '../engine/project/workspace.js';
import { DevpipeError } from '../errors.js';
import { containment } from './containment.js';

export class NodeProjectReader implements ProjectReader {
  constructor(readonly root: string) {}

  #abs(file: string): string {
    return path.resolve(this.root, file);
  }

  async read(file: string): Promise<string | undefined> {
    const absolute = this.#abs(file);
    try {
      return await readFile(absolute, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      if (code === 'EISDIR') throw new DevpipeError('usage', `${absolute} is a directory, not a file`, { cause: error });
      throw new DevpipeError('environment', `cannot read ${absolute}: ${(error as Error).message}`, { cause: error });
    }
  }

  async bytes(file: string): Promise<{ bytes: Uint8Array; mode: number } | undefined> {
    const absolute = this.#abs(file);
    try {
      const [bytes, info] = await Promise.all([readFile(absolute), stat(absolute)]);
      return { bytes, mode: info.mode & 0o777 };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new DevpipeError('environment', `cannot read ${absolute}: ${(error as Error).message}`, { cause: error });
    }
  }

  async kind(file: string): Promise<'file' | 'directory' | undefined> {
    const info = await stat(this.#abs(file)).catch(() => undefined);
    return info?.isDirectory() ? 'directory' : info ? 'file' : undefined;
  }

  async list(dir: string): Promise<{ name: string; kind: 'file' | 'directory' | 'other' }[]> {
    const entries = await readdir(this.#abs(dir), { withFileTypes: true }).catch(() => []);
    return entries
      .map((e) => ({ name: e.name, kind: e.isDirectory() ? ('directory' as const) : e.isFile() ? ('file' as const) : ('other' as const) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  contains(file: string): Promise<Containment> {
    return containment(this.root, file.replace(/^\/+/, ''));
  }
}
