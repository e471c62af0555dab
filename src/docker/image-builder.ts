/**
 * DockerImageBuilder: builds through the Engine API from a streamed tar context, with BuildKit
 * (API version 2) wherever the engine offers it — as PipelineLib's CI does, and 3–4× faster on
 * an incremental rebuild than the classic builder, which starts a container for every
 * instruction after a changed layer — or with the classic builder (`DEVPIPE_BUILDER=classic`, or
 * an engine without BuildKit). Tags are applied only after a successful build, so a failed or
 * cancelled build leaves nothing tagged.
 */
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DevpipeError } from '../errors.js';
import type { BuildRequest, BuildResult, ImageBuilder } from '../ports.js';
import { BuildOutput } from './build-output.js';
import { dockerfilePath, hashContext, packContext, readDockerignore, type ContextPlan } from './build-context.js';
import { dockerError, matchProblem } from './problems.js';

/** Which builder: `auto` (BuildKit when the engine offers it), `buildkit` or `classic`. */
export type BuilderChoice = 'auto' | 'buildkit' | 'classic';

export function builderChoice(value: string | undefined): BuilderChoice {
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'buildkit' || value === 'classic') return value;
  throw new DevpipeError('usage', `DEVPIPE_BUILDER=${value} is not a builder devpipe knows`, { hint: 'use auto (the default), buildkit or classic' });
}

/** BuildKit through the API (build option version=2): Linux engines from API 1.39 (18.09) on. */
export function engineOffersBuildkit(version: { Os?: string; ApiVersion?: string }): boolean {
  return version.Os === 'linux' && Number.parseFloat(version.ApiVersion ?? '0') >= 1.39;
}

export class DockerImageBuilder implements ImageBuilder {
  #buildkit: Promise<boolean> | undefined;

  constructor(
    private readonly docker: Docker,
    private readonly choice: BuilderChoice = 'auto',
  ) {}

  /** Whether builds use BuildKit: a spec that needs it always does; else the choice, asked once. */
  usesBuildkit(required = false): Promise<boolean> {
    if (required || this.choice === 'buildkit') return Promise.resolve(true);
    if (this.choice === 'classic') return Promise.resolve(false);
    this.#buildkit ??= this.docker.version().then(engineOffersBuildkit, () => false);
    return this.#buildkit;
  }

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
    const buildkit = await this.usesBuildkit(request.buildkit);
    const packed = packContext(plan, request.signal) as AsyncIterable<Buffer>;
    const inspect = request.onContextChunk;
    const tar = inspect
      ? (async function* () {
          for await (const chunk of packed) {
            inspect(chunk);
            yield chunk;
          }
        })()
      : packed;
    const body = Readable.from(tar, { objectMode: false });
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
        // A number, not '2': dockerode opens a gRPC BuildKit session for the string '2' only, and
        // devpipe needs none (the context is the tar; no registry credentials are forwarded).
        version: buildkit ? 2 : 1,
        abortSignal: request.signal,
      } as unknown as Docker.ImageBuildOptions);
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
