/**
 * The host's trust store and network settings for builds and for the containers devpipe runs
 * (ci steps, e2e suites, unit tests), never in an image: a CA bundle and package-index overrides
 * reach each `RUN` through a BuildKit bind mount of a part of the build context that no `COPY`
 * reads, and an environment file sourced by that `RUN` only; proxies go as Docker's predefined
 * proxy build args, which the engine keeps out of the image history. The content hash of an image
 * never depends on them (a rotated CA or another proxy reuses the same tags). Pure; talks to ports.
 */
import { EXEC_SHELL, json, parsesAsExecForm } from '../compile/render.js';
import type { BuildRequest, BuildResult, ImageBuilder, RunRequest, RunResult, ContainerRunner } from '../ports.js';

/** Where the trust files are in the build context (never copied into an image). */
export const TRUST_CONTEXT_DIR = '.devpipe-context/trust';
/**
 * Where they are mounted for each RUN: `/mnt` exists (empty) in Debian, Ubuntu and Alpine images,
 * so the mount leaves no mount-point stub in the layer (a new directory would stay, empty).
 */
export const TRUST_MOUNT = '/mnt';
/** The bundle in a build step. */
export const TRUST_BUNDLE = `${TRUST_MOUNT}/ca.pem`;
/** The bundle in the containers devpipe runs (ci steps, e2e suites, unit tests). */
export const RUN_BUNDLE = '/run/devpipe-trust/ca.pem';

/** The variables pointing at the bundle, as tools read them (npm reads `npm_config_cafile`). */
export const CA_VARIABLES = ['SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'PIP_CERT', 'GIT_SSL_CAINFO', 'CURL_CA_BUNDLE', 'npm_config_cafile'] as const;

/** Docker's predefined proxy args: usable in every RUN without ARG, and not kept in the history. */
export const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'all_proxy'] as const;

/** Package index overrides forwarded from the host, when set there. */
export const INDEX_VARIABLES = ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_TRUSTED_HOST', 'npm_config_registry', 'NPM_CONFIG_REGISTRY', 'GOPROXY', 'GONOSUMDB', 'GOPRIVATE', 'GOSUMDB', 'GOFLAGS'] as const;

export interface HostTrust {
  /** The CA bundle's PEM text (the whole trust store the containers get), if any. */
  bundle?: string | undefined;
  /** Where it came from, for messages (`SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt`). */
  source?: string | undefined;
  /** Absolute host path of the bundle file (bind-mounted into the containers devpipe runs). */
  bundlePath?: string | undefined;
  proxies: Readonly<Record<string, string>>;
  indexes: Readonly<Record<string, string>>;
}

export function isEmptyTrust(trust: HostTrust): boolean {
  return trust.bundle === undefined && Object.keys(trust.proxies).length === 0 && Object.keys(trust.indexes).length === 0;
}

/** The variables a build step or a container gets (values only; nothing secret). */
export function trustEnvironment(trust: HostTrust, bundleAt = TRUST_BUNDLE): Record<string, string> {
  const env: Record<string, string> = {};
  if (trust.bundle !== undefined) for (const name of CA_VARIABLES) env[name] = bundleAt;
  Object.assign(env, trust.indexes);
  return env;
}

/** Single-quoted for sh. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The env file each RUN sources (`export A='…' B='…'`). */
export function envFile(env: Readonly<Record<string, string>>): string {
  const names = Object.keys(env).sort();
  return names.length === 0 ? ':\n' : `export ${names.map((n) => `${n}=${shellQuote(env[n] ?? '')}`).join(' ')}\n`;
}

const MOUNT = `--mount=type=bind,source=${TRUST_CONTEXT_DIR},target=${TRUST_MOUNT}`;
/** What every rewritten RUN starts with: the history shows this, never a value. */
export const RUN_PREFIX = `. ${TRUST_MOUNT}/env; `;

/** The exec-form `["/bin/sh", "-c", CMD]` devpipe's compiler writes, as its CMD; else undefined. */
function shellExecCommand(command: string): string | undefined {
  if (!parsesAsExecForm(command)) return undefined;
  const args = JSON.parse(command) as unknown[];
  return args.length === 3 && args[0] === EXEC_SHELL[0] && args[1] === EXEC_SHELL[1] && typeof args[2] === 'string' ? args[2] : undefined;
}

/**
 * Every shell-form `RUN` gets the trust mount and sources the env file first, and so does the
 * exec form `["/bin/sh", "-c", …]` the compiler writes for multi-line commands. Other exec-form
 * RUNs and continuation lines are left alone. Returns the Dockerfile and how many RUNs were rewritten.
 */
export function mountTrust(dockerfile: string): { dockerfile: string; runs: number } {
  let runs = 0;
  const lines = dockerfile.split('\n').map((line) => {
    const match = /^RUN\s+((?:--\S+\s+)*)(.*)$/.exec(line);
    if (!match || /\\\s*$/.test(line)) return line;
    const flags = match[1] ?? '';
    const command = match[2] ?? '';
    if (parsesAsExecForm(command)) {
      const shell = shellExecCommand(command);
      if (shell === undefined) return line;
      runs++;
      return `RUN ${flags}${MOUNT} ${json([...EXEC_SHELL, `${RUN_PREFIX}${shell}`])}`;
    }
    runs++;
    return `RUN ${flags}${MOUNT} ${RUN_PREFIX}${command}`;
  });
  return { dockerfile: lines.join('\n'), runs };
}

/** The request with the host's trust for every RUN; needs BuildKit (RUN --mount). */
export function withTrust(request: BuildRequest, trust: HostTrust): BuildRequest {
  if (isEmptyTrust(trust)) return request;
  const buildArgs = { ...trust.proxies, ...request.buildArgs };
  // With the project at the context root a `COPY . …` could reach the context's trust files:
  // such builds (Dockerfiles not compiled by devpipe) get the proxies only.
  if (request.sendProject !== false) return { ...request, buildArgs };
  const env = trustEnvironment(trust);
  if (trust.bundle === undefined && Object.keys(env).length === 0) return { ...request, buildArgs };
  const { dockerfile, runs } = mountTrust(request.dockerfile);
  if (runs === 0) return { ...request, buildArgs };
  const entries = [
    ...(request.extraEntries ?? []),
    { kind: 'file' as const, path: `${TRUST_CONTEXT_DIR}/env`, content: envFile(env) },
    ...(trust.bundle !== undefined ? [{ kind: 'file' as const, path: `${TRUST_CONTEXT_DIR}/ca.pem`, content: trust.bundle }] : []),
  ];
  return { ...request, dockerfile, buildArgs, extraEntries: entries, buildkit: true };
}

/**
 * An ImageBuilder that gives every build the host's trust. The content digest is the inner
 * builder's over the request *without* it, so tags do not depend on the machine's CA or proxy.
 */
export class TrustingImageBuilder implements ImageBuilder {
  constructor(
    private readonly inner: ImageBuilder,
    private readonly trust: () => Promise<HostTrust>,
  ) {}

  contextDigest(request: BuildRequest): Promise<string> {
    return this.inner.contextDigest(request);
  }

  async build(request: BuildRequest): Promise<BuildResult> {
    return this.inner.build(withTrust(request, await this.trust()));
  }
}

/** A RunRequest with the bundle mounted read-only and the variables set (ci/e2e/test containers). */
export function runWithTrust(request: RunRequest, trust: HostTrust): RunRequest {
  if (isEmptyTrust(trust)) return request;
  const env = { ...trust.proxies, ...trustEnvironment(trust.bundlePath ? trust : { ...trust, bundle: undefined }, RUN_BUNDLE), ...request.env };
  const binds = trust.bundlePath ? [...(request.binds ?? []), { host: trust.bundlePath, container: RUN_BUNDLE }] : request.binds;
  return { ...request, env, ...(binds ? { binds } : {}) };
}

/** A ContainerRunner whose containers get the host's trust (the runs are devpipe's own: ci, e2e, tests). */
export class TrustingContainerRunner implements ContainerRunner {
  constructor(
    private readonly inner: ContainerRunner,
    private readonly trust: () => Promise<HostTrust>,
  ) {}

  async run(request: RunRequest): Promise<RunResult> {
    return this.inner.run(runWithTrust(request, await this.trust()));
  }

  remove(containerId: string): Promise<void> {
    return this.inner.remove(containerId);
  }

  list(labels: Readonly<Record<string, string>>): ReturnType<ContainerRunner['list']> {
    return this.inner.list(labels);
  }

  follow(containerId: string, options: Parameters<ContainerRunner['follow']>[1]): Promise<void> {
    return this.inner.follow(containerId, options);
  }

  watchChanges(labels: Readonly<Record<string, string>>, onChange: () => void, signal: AbortSignal): void {
    this.inner.watchChanges?.(labels, onChange, signal);
  }
}
