/**
 * DockerContainerSyncer: the hot path. Files go into a running container as one small tar
 * through the archive endpoint (no `docker cp` process), with the owner the image would give them.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import type { ContainerSyncer } from '../ports.js';
import { dockerError } from './problems.js';

export class DockerContainerSyncer implements ContainerSyncer {
  constructor(private readonly docker: Docker) {}

  async put(containerId: string, files: readonly { hostPath: string; containerPath: string; uid: number; gid: number }[]): Promise<void> {
    const tar = pack();
    const filling = (async () => {
      for (const file of files) {
        const info = await stat(file.hostPath);
        const entry = tar.entry({ name: file.containerPath.replace(/^\/+/, ''), size: info.size, mode: info.mode & 0o7777, uid: file.uid, gid: file.gid, mtime: info.mtime });
        await pipeline(createReadStream(file.hostPath), entry);
      }
      tar.finalize();
    })();
    try {
      await Promise.all([this.docker.getContainer(containerId).putArchive(Readable.from(tar as AsyncIterable<Buffer>), { path: '/' }), filling]);
    } catch (error) {
      tar.destroy();
      throw dockerError(error, `copying ${files.length} file(s) into container ${containerId.slice(0, 12)}`);
    }
  }

  async restart(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).restart({ t: 0 });
    } catch (error) {
      throw dockerError(error, `restarting container ${containerId.slice(0, 12)}`);
    }
  }
}
