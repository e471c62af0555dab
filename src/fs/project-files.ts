/** ProjectFiles on the local disk: everything under the project directory, directories 0700. */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DevpipeError } from '../errors.js';
import type { ProjectFiles } from '../ports.js';

export class NodeProjectFiles implements ProjectFiles {
  constructor(readonly root: string) {}

  #resolve(relative: string): string {
    const absolute = path.resolve(this.root, relative);
    if (absolute !== this.root && !absolute.startsWith(this.root + path.sep)) {
      throw new DevpipeError('internal', `refusing to write outside the project: ${relative}`);
    }
    return absolute;
  }

  async write(relative: string, content: string, options: { mode?: number } = {}): Promise<string> {
    const absolute = this.#resolve(relative);
    try {
      await mkdir(path.dirname(absolute), { recursive: true, mode: 0o700 });
      await writeFile(absolute, content, { mode: options.mode ?? 0o644 });
      // writeFile keeps the mode of an existing file: set it explicitly.
      await chmod(absolute, options.mode ?? 0o644);
      return absolute;
    } catch (error) {
      throw new DevpipeError('environment', `cannot write ${relative} in ${this.root}: ${(error as Error).message}`, { cause: error });
    }
  }

  async read(relative: string): Promise<string | undefined> {
    try {
      return await readFile(this.#resolve(relative), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new DevpipeError('environment', `cannot read ${relative}: ${(error as Error).message}`, { cause: error });
    }
  }

  async remove(relative: string): Promise<void> {
    await rm(this.#resolve(relative), { recursive: true, force: true });
  }
}
