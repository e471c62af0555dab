/**
 * DockerImagePusher: `docker push` through the Engine API, used by `devpipe ci` only when the user
 * configured a registry. The progress stream is read to the end; an `error` line rejects.
 */
import type Docker from 'dockerode';
import type { ImagePusher } from '../ports.js';
import { DevpipeError } from '../errors.js';
import { splitRef } from './image-builder.js';
import { dockerError } from './problems.js';

export class DockerImagePusher implements ImagePusher {
  constructor(private readonly docker: Docker) {}

  async push(ref: string, signal?: AbortSignal): Promise<void> {
    const { repo, tag } = splitRef(ref);
    let stream: NodeJS.ReadableStream;
    try {
      stream = (await this.docker.getImage(repo).push({ tag, abortSignal: signal } as never)) as unknown as NodeJS.ReadableStream;
    } catch (error) {
      throw dockerError(error, `pushing ${ref}`);
    }
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(stream, (error: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
        if (error) return reject(dockerError(error, `pushing ${ref}`));
        const failed = output.find((line) => line.error || line.errorDetail);
        if (failed) return reject(new DevpipeError('failure', `pushing ${ref} failed: ${failed.errorDetail?.message ?? failed.error}`, { hint: 'check that the registry is reachable and that you are logged in (docker login)' }));
        resolve();
      });
    });
  }
}
