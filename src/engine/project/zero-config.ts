/**
 * Zero-config that follows the repository: the Blubber file config.yaml names when the default
 * does not exist, `--blubber`/`--variant`/`--port` of `up` and `dev`, the port of the service's
 * chart values, and errors about the default that print the devpipe.yaml that would fix them.
 */
import { parse } from 'yaml';
import { DevpipeError } from '../../errors.js';
import type { StackConfig } from '../../spec/stack/index.js';
import { resolveBlubberFile, stackFileFor } from './blubber.js';
import type { StackOverrides, Workspace } from './workspace.js';

/** An error about the zero-config default: says it is the default, and prints the devpipe.yaml that fixes it. */
export function zeroConfigError(config: StackConfig, error: Error, file: string): Error {
  if (!(error instanceof DevpipeError) || error.kind !== 'usage') return error;
  const service = config.services[0]?.name ?? 'service';
  return new DevpipeError('usage', `${error.message} (there is no .pipeline/devpipe.yaml: the zero-config default builds variant "production" of ${file})`, {
    hint: `pass --blubber FILE and --variant NAME, or write .pipeline/devpipe.yaml:\n${stackFileFor(file, service)}`,
  });
}

/** The overrides from `up`/`dev` options (`--port` checked: exit 2 when it is not a port). */
export function parseStackOverrides(options: { blubber?: string | undefined; variant?: string | undefined; port?: string | undefined }): StackOverrides {
  let port: StackOverrides['port'];
  if (options.port !== undefined) {
    const text = String(options.port);
    const [a, b] = text.split(':');
    const numbers = (b === undefined ? [a, a] : [a, b]).map((n) => (/^\d{1,5}$/.test(n ?? '') ? Number(n) : NaN));
    if (text.split(':').length > 2 || numbers.some((n) => !Number.isInteger(n) || n < 1 || n > 65535)) {
      throw new DevpipeError('usage', `--port ${text} is not a port`, { hint: 'the port the service listens on (1-65535), published on the same host port: --port 8080; or HOST:CONTAINER: --port 18080:8080' });
    }
    port = { host: numbers[0]!, container: numbers[1]! };
  }
  return { blubber: options.blubber, variant: options.variant, port };
}

/**
 * The config as the repository has it: the default Blubber file resolved (config.yaml's
 * `blubberfile` when `.pipeline/blubber.yaml` does not exist), `--blubber`/`--variant`/`--port`
 * applied to the zero-config service (or the one service built here), and the zero-config
 * service's port taken from its chart values when none is given.
 */
export async function followRepository(ws: Workspace, config: StackConfig): Promise<StackConfig> {
  const given = ws.overrides;
  const built = config.services.filter((s) => s.image.kind === 'build');
  const asked = given.blubber !== undefined || given.variant !== undefined || given.port !== undefined;
  if (asked && config.file !== undefined && built.length !== 1) {
    throw new DevpipeError('usage', `--blubber, --variant and --port apply to the zero-config default or to a devpipe.yaml with one service built here; ${config.file} builds ${built.length}`, {
      hint: `set build: {variant, blubber} and ports: of each service in ${config.file}`,
    });
  }
  const resolved = new Map<string, string>();
  const resolve = async (file: string) => {
    if (!resolved.has(file)) resolved.set(file, await resolveBlubberFile(ws, file));
    return resolved.get(file)!;
  };
  const services = [];
  for (const service of config.services) {
    let next = service;
    if (service.image.kind === 'build') {
      const target = built.length === 1 || config.file === undefined;
      const blubber = target && given.blubber !== undefined ? given.blubber : await resolve(service.image.blubber);
      const variant = target && given.variant !== undefined ? given.variant : service.image.variant;
      next = { ...service, image: { kind: 'build', blubber, variant } };
      if (target && given.port !== undefined) next = { ...next, ports: [given.port] };
      else if (config.file === undefined && next.ports.length === 0) {
        const port = await chartPort(ws);
        if (port) {
          ws.bus.emit('message', { level: 'info', text: `${service.name}: port ${port.port} from ${port.file} (${port.key}); --port N to choose another` });
          next = { ...next, ports: [{ container: port.port, host: port.port }] };
        }
      }
    }
    services.push(next);
  }
  const e2e = config.e2e && config.e2e.image.kind === 'build' ? { ...config.e2e, image: { ...config.e2e.image, blubber: await resolve(config.e2e.image.blubber) } } : config.e2e;
  return { ...config, services, e2e };
}

/** The port a chart in the repository gives the service (`main_app.port`, `app.port`, `service.port`). */
export async function chartPort(ws: Workspace): Promise<{ port: number; file: string; key: string } | undefined> {
  const candidates = ['chart/values.yaml', 'helm/values.yaml', '.pipeline/helm/values.yaml'];
  for (const dir of ['charts', 'helm']) {
    for (const entry of await ws.reader.list(dir)) candidates.push(`${dir}/${entry.name}/values.yaml`);
  }
  for (const file of candidates) {
    const text = await ws.reader.read(file).catch(() => undefined);
    if (text === undefined) continue;
    let values: Record<string, { port?: unknown } | undefined> | null;
    try {
      values = parse(text, { maxAliasCount: 100 }) as typeof values;
    } catch {
      continue;
    }
    for (const key of ['main_app', 'app', 'service']) {
      const port = values?.[key]?.port;
      if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) return { port, file, key: `${key}.port` };
    }
  }
  return undefined;
}

