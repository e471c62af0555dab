/**
 * A Context whose adapters are fakes (the composition root's methods overridden in a subclass: no
 * module patching): kubectl/helm/minikube answered by a FakeCluster, Docker by recording fakes
 * (one store for this machine's engine, one for minikube's daemon).
 */
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Context, type DockerAdapters, type GlobalOptions } from '../../../src/cli/context.js';
import type { ImageScanner, ProcessRunner } from '../../../src/ports.js';
import { FakeBuilder, FakeImages } from '../build.js';
import { FakeContainers, FakeResources, FakeScanner } from '../stack.js';
import { repoRoot } from '../../helpers/cli.js';
import { FakeCluster } from './cluster.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function fakeDocker(name: string, up: boolean): DockerAdapters & { store: FakeImages; builder: FakeBuilder } {
  const store = new FakeImages();
  return {
    foundVia: name,
    engine: { info: async () => (up ? { foundVia: name, serverVersion: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', buildkit: true } : Promise.reject(new Error(`connect ENOENT ${name}`))) },
    builder: new FakeBuilder(store),
    images: store,
    store,
    containers: new FakeContainers(),
    copier: { copy: async () => undefined },
    pusher: { push: async () => undefined },
    syncer: { put: async () => undefined, restart: async () => undefined },
    replacer: { prepare: async () => undefined, replace: async (id: string) => id },
    pods: { ensure: async () => undefined },
    imageFiles: { exportTo: async () => 0 },
    resources: new FakeResources(),
  };
}

export class KubeTestContext extends Context {
  readonly host: ReturnType<typeof fakeDocker>;
  readonly inside = fakeDocker('minikube docker-env (tcp://192.168.49.2:2376)', true);
  readonly scanner = new FakeScanner();
  readonly out: Capture;
  readonly err: Capture;
  dockerEnvSeen: Record<string, string> | undefined;

  constructor(
    readonly cluster: FakeCluster,
    dir: string,
    options: Partial<GlobalOptions> & { hostEngine?: boolean; env?: NodeJS.ProcessEnv } = {},
  ) {
    const out = new Capture();
    const err = new Capture();
    super({ json: false, verbose: false, color: false, target: 'minikube', ...options }, { CI: 'true', NO_COLOR: '1', XDG_CONFIG_HOME: path.join(dir, '.no-user-config'), ...options.env }, { out, err } as never, dir);
    this.out = out;
    this.err = err;
    this.host = fakeDocker('socket /var/run/docker.sock', options.hostEngine ?? true);
  }

  override process(): Promise<ProcessRunner> {
    return Promise.resolve(this.cluster);
  }

  override docker(): Promise<DockerAdapters> {
    return Promise.resolve(this.host);
  }

  override async dockerAt(overrides: Record<string, string>): Promise<DockerAdapters & { scanner: ImageScanner }> {
    this.dockerEnvSeen = overrides;
    return { ...this.inside, scanner: this.scanner };
  }

  override async imageScanner(): Promise<ImageScanner> {
    return this.scanner;
  }
}

/** A throw-away copy of fixtures/staging-copy (devpipe writes .devpipe/ into it). */
export async function stagingCopyDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devpipe-kube-'));
  await cp(path.join(repoRoot, 'fixtures/staging-copy'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.devpipe`) });
  return dir;
}
