/**
 * DockerContainerRunner: create → attach → start → wait, streaming output line by line with the
 * stream it came from. Containers carry devpipe labels and are removed by the caller (teardown).
 */
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { DevpipeError } from '../errors.js';
import type { ContainerInfo, ContainerRunner, RunRequest, RunResult } from '../ports.js';
import { dockerError } from './problems.js';

function lineSplitter(onLine: (line: string) => void): PassThrough {
  const stream = new PassThrough();
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      onLine(buffer.slice(0, newline).replace(/\r$/, ''));
      buffer = buffer.slice(newline + 1);
    }
  });
  stream.on('end', () => {
    if (buffer) onLine(buffer);
    buffer = '';
  });
  return stream;
}

export class DockerContainerRunner implements ContainerRunner {
  constructor(private readonly docker: Docker) {}

  async run(request: RunRequest): Promise<RunResult> {
    const tail: string[] = [];
    const record = (stream: 'stdout' | 'stderr') => (line: string) => {
      tail.push(line);
      if (tail.length > 100) tail.shift();
      request.onOutput?.(line, stream);
    };
    const exposed: Record<string, object> = {};
    const bindings: Record<string, { HostPort: string }[]> = {};
    for (const [containerPort, hostPort] of Object.entries(request.ports ?? {})) {
      exposed[`${containerPort}/tcp`] = {};
      bindings[`${containerPort}/tcp`] = [{ HostPort: hostPort ? String(hostPort) : '' }];
    }
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        Image: request.image,
        name: request.name,
        Cmd: request.command ? [...request.command] : undefined,
        Entrypoint: request.entrypoint ? [...request.entrypoint] : undefined,
        Env: Object.entries(request.env ?? {}).map(([k, v]) => `${k}=${v}`),
        Labels: { ...request.labels },
        WorkingDir: request.workingDir,
        User: request.user,
        ExposedPorts: exposed,
        Tty: false,
        AttachStdout: true,
        AttachStderr: true,
        HostConfig: {
          NetworkMode: request.network,
          Binds: request.binds?.map((b) => `${b.host}:${b.container}:${b.rw ? 'rw' : 'ro'}`),
          PortBindings: bindings,
        },
      });
    } catch (error) {
      throw dockerError(error, `creating a container from ${request.image}`);
    }
    const stdout = lineSplitter(record('stdout'));
    const stderr = lineSplitter(record('stderr'));
    const onAbort = (): void => {
      void container.kill().catch(() => undefined);
    };
    // Cancelled: the container is killed and removed (nothing left behind), without waiting for
    // the rest of its output.
    const interrupted = async (): Promise<never> => {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw new DevpipeError('interrupted', `container ${container.id.slice(0, 12)} was stopped`);
    };
    let attached: NodeJS.ReadableStream | undefined;
    try {
      if (request.signal?.aborted) return await interrupted();
      attached = await container.attach({ stream: true, stdout: true, stderr: true });
      this.docker.modem.demuxStream(attached, stdout, stderr);
      const ended = new Promise<void>((resolve) => attached!.on('end', resolve));
      request.signal?.addEventListener('abort', onAbort, { once: true });
      if (request.signal?.aborted) return await interrupted();
      await container.start();
      const result = (await container.wait()) as { StatusCode: number };
      if (request.signal?.aborted) return await interrupted();
      // The last lines can arrive after the exit; bounded, and the timer never outlives the wait.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
      clearTimeout(timer);
      if (request.signal?.aborted) return await interrupted();
      return { containerId: container.id, exitCode: result.StatusCode, tail };
    } catch (error) {
      if (error instanceof DevpipeError) throw error;
      if (request.signal?.aborted) return await interrupted();
      throw dockerError(error, `running ${request.image}`);
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
      stdout.end();
      stderr.end();
      (attached as { destroy?: () => void } | undefined)?.destroy?.();
    }
  }

  async follow(containerId: string, options: { signal?: AbortSignal | undefined; onLine: (line: string, stream: 'stdout' | 'stderr') => void }): Promise<void> {
    if (options.signal?.aborted) return;
    const container = this.docker.getContainer(containerId);
    let stream: NodeJS.ReadableStream & { destroy?: () => void };
    let tty: boolean;
    try {
      tty = (await container.inspect()).Config.Tty;
      stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return;
      throw dockerError(error, `following the log of ${containerId.slice(0, 12)}`);
    }
    const stdout = lineSplitter((line) => options.onLine(line, 'stdout'));
    const stderr = lineSplitter((line) => options.onLine(line, 'stderr'));
    if (tty) stream.pipe(stdout);
    else this.docker.modem.demuxStream(stream, stdout, stderr);
    await new Promise<void>((resolve) => {
      const done = () => {
        options.signal?.removeEventListener('abort', stop);
        resolve();
      };
      const stop = () => {
        stream.destroy?.();
        done();
      };
      options.signal?.addEventListener('abort', stop, { once: true });
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', done);
    });
    stdout.end();
    stderr.end();
  }

  async remove(containerId: string): Promise<void> {
    try {
      await this.docker.getContainer(containerId).remove({ force: true, v: true });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return;
      throw dockerError(error, `removing container ${containerId.slice(0, 12)}`);
    }
  }

  watchChanges(labels: Readonly<Record<string, string>>, onChange: () => void, signal: AbortSignal): void {
    if (signal.aborted) return;
    const filters = {
      type: ['container'],
      label: Object.entries(labels).map(([k, v]) => (v ? `${k}=${v}` : k)),
      // The engine matches `health_status` against `health_status: healthy` etc.
      event: ['create', 'start', 'restart', 'die', 'kill', 'stop', 'destroy', 'health_status'],
    };
    this.docker.getEvents({ filters: JSON.stringify(filters) }).then(
      (events) => {
        const stream = events as NodeJS.ReadableStream & { destroy(): void };
        const stop = () => stream.destroy();
        if (signal.aborted) return stop();
        signal.addEventListener('abort', stop, { once: true });
        stream.on('data', () => onChange());
        // Best effort: a broken stream leaves the waiting to its polling.
        stream.on('error', () => undefined);
        stream.on('close', () => signal.removeEventListener('abort', stop));
      },
      () => undefined,
    );
  }

  async list(labels: Readonly<Record<string, string>>): Promise<ContainerInfo[]> {
    try {
      const filters = { label: Object.entries(labels).map(([k, v]) => (v ? `${k}=${v}` : k)) };
      const containers = await this.docker.listContainers({ all: true, filters: JSON.stringify(filters) });
      return containers.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        image: c.Image,
        state: c.State,
        status: c.Status,
        labels: c.Labels,
      }));
    } catch (error) {
      throw dockerError(error, 'listing containers');
    }
  }
}
