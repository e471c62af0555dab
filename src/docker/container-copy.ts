/**
 * DockerContainerCopier: `docker cp CONTAINER:SOURCE DESTINATION` through the Engine API archive
 * endpoint, with the CLI's semantics: an existing destination directory receives the copy under
 * its own name; otherwise the copy becomes the destination; a source ending in `/.` copies the
 * directory's contents. Entries never land outside the destination.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { extract } from 'tar-stream';
import type { ContainerCopier } from '../ports.js';
import { DevpipeError } from '../errors.js';
import { dockerError } from './problems.js';

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    return false;
  }
}

/** Where an archive entry goes: `rename` replaces the archive's root name with the destination. */
export function entryTarget(name: string, destination: string, rename: boolean): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  const rest = rename ? parts.slice(1) : parts;
  return path.resolve(destination, ...rest);
}

export class DockerContainerCopier implements ContainerCopier {
  constructor(private readonly docker: Docker) {}

  async copy(container: string, source: string, destination: string): Promise<void> {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await this.docker.getContainer(container).getArchive({ path: source });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) throw new DevpipeError('failure', `copy: ${source} does not exist in container ${container}`, { hint: 'the container must have been run by this stage or an ancestor (`from: ${<stage>.container}`), and the path must exist in it' });
      throw dockerError(error, `copying ${source} out of container ${container}`);
    }
    const contents = source.endsWith('/.') || source === '.';
    const destIsDir = await isDirectory(destination);
    const root = path.resolve(destination);
    // `a/b` into an existing directory: keep the name b; into a new path: the copy becomes it.
    const rename = contents ? false : !destIsDir;
    await mkdir(rename ? path.dirname(root) : root, { recursive: true });
    const unpack = extract();
    unpack.on('entry', (header, stream, next) => {
      const name = contents ? header.name.split('/').slice(1).join('/') : header.name;
      const target = entryTarget(name, root, rename);
      if (target !== root && !target.startsWith(root + path.sep)) {
        stream.resume();
        next(new Error(`refusing to write outside ${root}: ${header.name}`));
        return;
      }
      const done = (error?: unknown) => (error ? next(error as Error) : next());
      if (header.type === 'directory') {
        stream.resume();
        mkdir(target, { recursive: true }).then(() => done(), done);
      } else if (header.type === 'symlink') {
        stream.resume();
        mkdir(path.dirname(target), { recursive: true })
          .then(() => symlink(header.linkname ?? '', target))
          .then(() => done(), done);
      } else {
        mkdir(path.dirname(target), { recursive: true })
          .then(() => pipeline(stream as unknown as NodeJS.ReadableStream, createWriteStream(target, { mode: header.mode ?? 0o644 })))
          .then(() => done(), done);
      }
    });
    await new Promise<void>((resolve, reject) => {
      unpack.on('finish', resolve);
      unpack.on('error', reject);
      archive.on('error', reject);
      archive.pipe(unpack as unknown as NodeJS.WritableStream);
    });
  }
}
