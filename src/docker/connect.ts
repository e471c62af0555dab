/**
 * Finding the Docker engine: DOCKER_HOST first, then the current docker context's endpoint, then
 * the well-known sockets. Returns how it was found, so `doctor` and errors can say it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
// Before dockerode: defers its gRPC and ssh2 dependencies until they are used.
import './lazy-deps.js';
import Docker from 'dockerode';

export interface EngineEndpoint {
  /** Human-readable: `DOCKER_HOST=unix:///…`, `docker context "x"`, `socket /var/run/docker.sock`. */
  foundVia: string;
  options: Docker.DockerOptions;
  /** The candidates that were tried, for error messages. */
  tried: string[];
}

function fromHost(host: string, env: NodeJS.ProcessEnv): Docker.DockerOptions {
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host.startsWith('npipe://')) return { socketPath: host.slice('npipe://'.length) };
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  const tls = env.DOCKER_TLS_VERIFY === '1' || url.protocol === 'https:';
  const certPath = env.DOCKER_CERT_PATH;
  const options: Docker.DockerOptions = {
    host: url.hostname,
    port: url.port || (tls ? 2376 : 2375),
    protocol: tls ? 'https' : 'http',
  };
  if (tls && certPath) {
    options.ca = readFileSync(path.join(certPath, 'ca.pem'));
    options.cert = readFileSync(path.join(certPath, 'cert.pem'));
    options.key = readFileSync(path.join(certPath, 'key.pem'));
  }
  return options;
}

/** The endpoint of the current `docker context` when it is not `default`. */
function contextHost(env: NodeJS.ProcessEnv): { name: string; host: string } | undefined {
  const configDir = env.DOCKER_CONFIG ?? path.join(homedir(), '.docker');
  let name = env.DOCKER_CONTEXT;
  if (!name) {
    try {
      name = (JSON.parse(readFileSync(path.join(configDir, 'config.json'), 'utf8')) as { currentContext?: string }).currentContext;
    } catch {
      return undefined;
    }
  }
  if (!name || name === 'default') return undefined;
  const metaRoot = path.join(configDir, 'contexts', 'meta');
  try {
    for (const dir of readdirSync(metaRoot)) {
      const meta = JSON.parse(readFileSync(path.join(metaRoot, dir, 'meta.json'), 'utf8')) as {
        Name?: string;
        Endpoints?: { docker?: { Host?: string } };
      };
      if (meta.Name === name && meta.Endpoints?.docker?.Host) return { name, host: meta.Endpoints.docker.Host };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export function findEngine(env: NodeJS.ProcessEnv = process.env): EngineEndpoint {
  const tried: string[] = [];
  if (env.DOCKER_HOST) {
    return { foundVia: `DOCKER_HOST=${env.DOCKER_HOST}`, options: fromHost(env.DOCKER_HOST, env), tried: [`DOCKER_HOST=${env.DOCKER_HOST}`] };
  }
  const context = contextHost(env);
  if (context) {
    return { foundVia: `docker context "${context.name}" (${context.host})`, options: fromHost(context.host, env), tried: [`docker context ${context.name}`] };
  }
  const candidates = [
    '/var/run/docker.sock',
    env.XDG_RUNTIME_DIR ? path.join(env.XDG_RUNTIME_DIR, 'docker.sock') : undefined,
    path.join(homedir(), '.docker', 'run', 'docker.sock'),
    path.join(homedir(), '.colima', 'default', 'docker.sock'),
    path.join(homedir(), '.rd', 'docker.sock'),
  ].filter((c): c is string => c !== undefined);
  for (const socket of candidates) {
    tried.push(`socket ${socket}`);
    if (existsSync(socket)) return { foundVia: `socket ${socket}`, options: { socketPath: socket }, tried };
  }
  return { foundVia: 'socket /var/run/docker.sock (not present)', options: { socketPath: '/var/run/docker.sock' }, tried };
}

export function connect(endpoint: EngineEndpoint): Docker {
  return new Docker(endpoint.options);
}
