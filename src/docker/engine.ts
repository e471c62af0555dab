/** DockerEngine: what the engine is and whether BuildKit is available through the API. */
import http from 'node:http';
import type Docker from 'dockerode';
import { DevpipeError } from '../errors.js';
import type { Engine, EngineInfo } from '../ports.js';
import type { EngineEndpoint } from './connect.js';
import { engineOffersBuildkit } from './image-builder.js';
import { dockerError } from './problems.js';

export class DockerEngine implements Engine {
  constructor(
    private readonly docker: Docker,
    private readonly endpoint: EngineEndpoint,
  ) {}

  async info(): Promise<EngineInfo> {
    let version: Docker.DockerVersion;
    try {
      version = await withTimeout(this.docker.version(), 5000);
    } catch (error) {
      const devpipeError = dockerError(error, 'asking the engine for its version');
      throw new DevpipeError(devpipeError.kind, devpipeError.message, {
        hint: devpipeError.hint,
        cause: error,
        details: [`found via: ${this.endpoint.foundVia}`, `tried: ${this.endpoint.tried.join(', ')}`],
      });
    }
    const builderVersion = await this.#builderVersion();
    return {
      foundVia: this.endpoint.foundVia,
      serverVersion: version.Version,
      apiVersion: version.ApiVersion,
      os: version.Os,
      arch: version.Arch,
      // The ping's Builder-Version header names the engine's *default* builder.
      buildkit: engineOffersBuildkit(version) || builderVersion === '2',
    };
  }

  /** The `Builder-Version` header of `/_ping` ("1" classic, "2" BuildKit default). */
  async #builderVersion(): Promise<string | undefined> {
    const options = this.endpoint.options;
    if (!options.socketPath) return undefined;
    return new Promise((resolve) => {
      const request = http.get({ socketPath: options.socketPath, path: '/_ping', timeout: 2000 }, (response) => {
        response.resume();
        resolve(response.headers['builder-version'] as string | undefined);
      });
      request.on('error', () => resolve(undefined));
      request.on('timeout', () => {
        request.destroy();
        resolve(undefined);
      });
    });
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Cannot connect to the Docker daemon: no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
