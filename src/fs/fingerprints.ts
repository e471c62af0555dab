/** FileFingerprints on the local disk: a file's content hash (size and mtime for big files). */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { FileFingerprints } from '../ports.js';

/** Files larger than this are fingerprinted by size and mtime instead of read. */
const HASH_LIMIT = 8 * 1024 * 1024;

export class NodeFileFingerprints implements FileFingerprints {
  constructor(readonly root: string) {}

  async of(relative: string): Promise<string | undefined> {
    const absolute = path.join(this.root, relative);
    try {
      const stats = await stat(absolute);
      if (stats.isDirectory()) return 'dir';
      if (stats.size > HASH_LIMIT) return `large:${stats.size}:${stats.mtimeMs}:${stats.mode}`;
      return `sha256:${createHash('sha256').update(await readFile(absolute)).digest('hex')}:${stats.mode & 0o777}`;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : undefined;
    }
  }
}
