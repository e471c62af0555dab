/**
 * DockerImageBuilder: builds through the Engine API from a streamed tar context, with the classic
 * builder or BuildKit (API version 2). Tags are applied only after a successful build, so a failed
 * or cancelled build leaves nothing tagged.
 */
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DevpipeError } from '../errors.js';
import type { BuildRequest, BuildResult, ImageBuilder } from '../ports.js';
import { BuildOutput } from './build-output.js';
import { dockerfilePath, hashContext, packContext, readDockerignore, type ContextPlan } from './context.js';
import { dockerError, matchProblem } from './problems.js';

export class DockerImageBuilder implements ImageBuilder {
  constructor(private readonly docker: Docker) {}

  async contextPlan(request: BuildRequest): Promise<ContextPlan> {
    return {
      contextDir: request.contextDir,
      patterns: request.ignorePatterns ? [...request.ignorePatterns] : await readDockerignore(request.contextDir),
      extraEntries: request.extraEntries ?? [],
      dockerfile: request.dockerfile,
      sendProject: request.sendProject ?? true,
    };
  }

  async contextDigest(request: BuildRequest): Promise<string> {
    return (await hashContext(await this.contextPlan(request))).digest;
  }

  async build(request: BuildRequest): Promise<BuildResult> {
    const plan = await this.contextPlan(request);
    const tar = packContext(plan, request.signal);
    const body = Readable.from(tar as AsyncIterable<Buffer>, { objectMode: false });
    const output = new BuildOutput(request.onLog);
    let response: NodeJS.ReadableStream;
    try {
      response = await this.docker.buildImage(body, {
        dockerfile: dockerfilePath,
        target: request.target,
        buildargs: { ...request.buildArgs },
        labels: { ...request.labels },
        nocache: request.noCache ?? false,
        pull: request.pull ? 'true' : undefined,
        rm: true,
        forcerm: true,
        version: request.buildkit ? '2' : '1',
        abortSignal: request.signal,
      } as Docker.ImageBuildOptions);
    } catch (error) {
      body.destroy();
      throw dockerError(error, 'starting a build');
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        (response as unknown as { destroy?: () => void }).destroy?.();
        reject(new DevpipeError('interrupted', 'build cancelled'));
      };
      request.signal?.addEventListener('abort', onAbort, { once: true });
      response.on('data', (chunk: Buffer) => output.push(chunk));
      response.on('end', () => {
        request.signal?.removeEventListener('abort', onAbort);
        output.end();
        resolve();
      });
      response.on('error', (error: Error) => {
        request.signal?.removeEventListener('abort', onAbort);
        reject(dockerError(error, 'building'));
      });
    });
    if (output.error !== undefined) {
      const known = matchProblem(output.error, undefined, output.tail.slice(-15));
      if (known) throw known;
      throw new DevpipeError('failure', `build failed: ${output.error}`, {
        details: output.tail.slice(-15),
        hint: 'the lines above are the end of the build output; `devpipe render <variant>` shows the Dockerfile',
      });
    }
    if (!output.imageId) {
      throw new DevpipeError('failure', 'build ended without an image ID', {
        details: output.tail.slice(-15),
        hint: 'the engine closed the build stream early; rerun with --verbose',
      });
    }
    const imageId = output.imageId.startsWith('sha256:') ? output.imageId : await this.#fullId(output.imageId);
    for (const tag of request.tags) {
      const { repo, tag: version } = splitRef(tag);
      try {
        await this.docker.getImage(imageId).tag({ repo, tag: version });
      } catch (error) {
        throw dockerError(error, `tagging ${tag}`);
      }
    }
    return { imageId, tags: [...request.tags] };
  }

  async #fullId(shortId: string): Promise<string> {
    const info = await this.docker.getImage(shortId).inspect();
    return info.Id;
  }
}

/** `registry:5000/name:tag` → repo `registry:5000/name`, tag `tag` (default `latest`). */
export function splitRef(ref: string): { repo: string; tag: string } {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  if (colon > base.lastIndexOf('/')) return { repo: base.slice(0, colon), tag: base.slice(colon + 1) };
  return { repo: base, tag: 'latest' };
}
