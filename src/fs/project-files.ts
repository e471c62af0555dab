/**
 * ProjectFiles on the local disk: everything under the project directory. Directories are created
 * 0700 (and `.devpipe/` itself is kept 0700), files 0600 unless a mode is given (secret files
 * mounted into containers need 0644 inside the 0700 directory). Every write that is not a secret
 * file passes through the run's redaction (the composition root hands it in).
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DevpipeError } from '../errors.js';
import type { ProjectFiles } from '../ports.js';

export const STATE_DIR = '.devpipe';

export class NodeProjectFiles implements ProjectFiles {
  constructor(
    readonly root: string,
    private readonly redact: (text: string) => string = (text) => text,
  ) {}

  #resolve(relative: string): string {
    const absolute = path.resolve(this.root, relative);
    if (absolute !== this.root && !absolute.startsWith(this.root + path.sep)) {
      throw new DevpipeError('internal', `refusing to write outside the project: ${relative}`);
    }
    return absolute;
  }

  async write(relative: string, content: string, options: { mode?: number; secret?: boolean } = {}): Promise<string> {
    const absolute = this.#resolve(relative);
    const mode = options.mode ?? 0o600;
    try {
      await mkdir(path.dirname(absolute), { recursive: true, mode: 0o700 });
      const state = path.join(this.root, STATE_DIR);
      if (absolute.startsWith(state + path.sep)) await chmod(state, 0o700);
      await writeFile(absolute, options.secret === true ? content : this.redact(content), { mode });
      // writeFile keeps the mode of an existing file: set it explicitly.
      await chmod(absolute, mode);
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
