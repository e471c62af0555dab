/**
 * DockerImageFiles: an image's filesystem written to a host directory, as BuildKit's
 * `--output type=local,dest=DIR` does (Kokkuri's BUILDCTL_BUILD_FLAGS). The image is never run: a
 * container is created (not started; images `FROM scratch` have nothing to run), its root is read
 * through the archive endpoint, and the container is removed. The empty placeholders the engine
 * adds to every container (/.dockerenv, /etc/hosts, /dev, /proc, …) are left out; entries never
 * land outside the destination.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { extract } from 'tar-stream';
import type { ImageFiles } from '../ports.js';
import { entryTarget } from './container-copy.js';
import { dockerError } from './problems.js';

const placeholders = new Set(['.dockerenv', 'etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'etc/mtab']);
const engineDirs = ['dev', 'proc', 'sys'];
/** Directories that exist only to hold placeholders; created when a real file lands in them. */
const placeholderDirs = new Set(['etc']);

export function isPlaceholder(name: string, size: number): boolean {
  const clean = name.split('/').filter((p) => p !== '' && p !== '.').join('/');
  if (placeholders.has(clean) && size === 0) return true;
  return engineDirs.some((dir) => clean === dir || clean.startsWith(`${dir}/`));
}

export class DockerImageFiles implements ImageFiles {
  constructor(private readonly docker: Docker) {}

  async exportTo(image: string, destination: string, labels: Readonly<Record<string, string>>): Promise<number> {
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({ Image: image, Entrypoint: ['/devpipe-export-never-started'], Labels: { ...labels } });
    } catch (error) {
      throw dockerError(error, `reading the files of image ${image}`);
    }
    const root = path.resolve(destination);
    let files = 0;
    try {
      const archive = await container.getArchive({ path: '/' });
      await mkdir(root, { recursive: true });
      const unpack = extract();
      unpack.on('entry', (header, stream, next) => {
        const name = header.name.split('/').slice(1).join('/');
        const target = entryTarget(name, root, false);
        if (name === '' || isPlaceholder(name, header.size ?? 0) || (target !== root && !target.startsWith(root + path.sep))) {
          stream.resume();
          next();
          return;
        }
        const done = (error?: unknown) => (error ? next(error as Error) : next());
        if (header.type === 'directory') {
          stream.resume();
          if (placeholderDirs.has(name.replace(/\/+$/, ''))) {
            next();
            return;
          }
          mkdir(target, { recursive: true }).then(() => done(), done);
        } else if (header.type === 'symlink') {
          stream.resume();
          mkdir(path.dirname(target), { recursive: true })
            .then(() => symlink(header.linkname ?? '', target).catch(() => undefined))
            .then(() => done(), done);
        } else if (header.type === 'file') {
          files++;
          mkdir(path.dirname(target), { recursive: true })
            .then(() => pipeline(stream as unknown as NodeJS.ReadableStream, createWriteStream(target, { mode: header.mode ?? 0o644 })))
            .then(() => done(), done);
        } else {
          stream.resume();
          next();
        }
      });
      await new Promise<void>((resolve, reject) => {
        unpack.on('finish', resolve);
        unpack.on('error', reject);
        archive.on('error', reject);
        archive.pipe(unpack as unknown as NodeJS.WritableStream);
      });
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
    }
    return files;
  }
}
