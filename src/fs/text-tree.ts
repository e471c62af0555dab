/** TextTree on the local disk: reads under one directory, never outside it (no `..`, no absolute paths). */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DevpipeError } from '../errors.js';
import type { TextTree } from '../ports.js';

export class NodeTextTree implements TextTree {
  constructor(readonly root: string) {}

  #resolve(relative: string): string {
    const absolute = path.resolve(this.root, relative);
    if (absolute !== this.root && !absolute.startsWith(this.root + path.sep)) {
      throw new DevpipeError('spec', `${relative} is outside ${this.root}`, { hint: 'every path read from a charts checkout stays inside it' });
    }
    return absolute;
  }

  async read(relative: string): Promise<string | undefined> {
    const absolute = this.#resolve(relative);
    try {
      return await readFile(absolute, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw new DevpipeError('environment', `cannot read ${path.join(this.root, relative)}: ${(error as Error).message}`, { cause: error });
    }
  }

  async list(relative: string): Promise<string[] | undefined> {
    const absolute = this.#resolve(relative);
    try {
      return (await readdir(absolute)).sort();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw new DevpipeError('environment', `cannot list ${path.join(this.root, relative)}: ${(error as Error).message}`, { cause: error });
    }
  }
}
