/**
 * Stack model → a compose file (as a plain object; the caller serializes it to YAML). Pure.
 * The same file works with Compose v2 and v1 (1.27+: the Compose Specification without
 * `version`). Secrets are never in the file: it names files devpipe writes under
 * `.devpipe/secrets/` (mounted at `/run/secrets/<name>`) and env files beside them.
 */
import { InternalError } from '../../errors.js';
import { POD_IMAGE, POD_PROGRAM } from '../../ports.js';
import type { HealthcheckConfig } from '../../spec/stack/types.js';
import { LABEL_PROJECT, LABEL_ROLE, LABEL_SERVICE, stackLabels, type ServiceModel, type StackModel } from './model.js';
import { httpProbeCommand, sidecarScript } from './sidecar.js';
import { LABEL_MANAGED_BY, LABEL_POD_OF, LABEL_SIDECAR_OF, MANAGED_BY } from '../labels.js';

export interface ComposePaths {
  /** Absolute project directory (bind mounts are relative to it). */
  projectDir: string;
  /** Absolute path of the file holding a secret's value. */
  secretFile(name: string): string;
  /** Absolute path of a service's env file (secrets it asked for as env vars). */
  envFile(service: string): string;
  /** Absolute path of a generated file (under the secrets directory when secrets are written into it). */
  mountedFile(service: string, index: number, withSecrets: boolean): string;
}

/** Compose interpolates `$` in every string: escape user text. */
export function escapeDollars(text: string): string {
  return text.replaceAll('$', () => '$$');
}

const escapeAll = (list: readonly string[]) => list.map(escapeDollars);

function durationText(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function healthcheck(check: HealthcheckConfig): Record<string, unknown> {
  return {
    test: ['CMD', ...escapeAll(check.http ? httpProbeCommand(check) : check.command)],
    interval: durationText(check.intervalMs),
    timeout: durationText(check.timeoutMs),
    retries: check.retries,
    start_period: durationText(check.startPeriodMs),
  };
}

function joinPath(root: string, relative: string): string {
  const clean = relative.replace(/^\.\/?/, '').replace(/\/+$/, '');
  return clean === '' ? root : `${root.replace(/\/+$/, '')}/${clean}`;
}

function service(model: StackModel, svc: ServiceModel, paths: ComposePaths): Record<string, unknown> {
  if (!svc.imageRef) throw new InternalError(`service ${svc.name} has no image to run`);
  const byName = new Map(model.services.map((s) => [s.name, s]));
  const out: Record<string, unknown> = { image: svc.imageRef };
  if (svc.command) out.entrypoint = escapeAll(svc.command);
  if (svc.args) out.command = escapeAll(svc.args);
  const environment: Record<string, string> = Object.fromEntries(Object.entries(svc.env).map(([k, v]) => [k, escapeDollars(v)]));
  // Env secrets: a reference Compose fills from its own process env (StackTarget.env), never a
  // value in a file; interpolation inserts it verbatim (Compose v1 and v2 alike, `$` and quotes
  // included), and `-` keeps other compose calls quiet when the variable is not set.
  for (const use of svc.secrets) if (use.env !== undefined) environment[use.env] = `\${${injectVar(use.name)}-}`;
  if (Object.keys(environment).length > 0) out.environment = environment;
  const files = svc.secrets.filter((s) => s.file).map((s) => s.name);
  if (files.length > 0) out.secrets = files;
  if (svc.ports.length > 0 && !svc.pod) out.ports = svc.ports.map((p) => `${p.host}:${p.container}`);
  if (svc.healthcheck && !svc.healthcheck.http) out.healthcheck = healthcheck(svc.healthcheck);
  if (svc.dependsOn.length > 0) {
    out.depends_on = Object.fromEntries(
      svc.dependsOn.flatMap((dep) => {
        const target = byName.get(dep);
        // An HTTP healthcheck lives on the dependency's sidecar: wait for that one.
        if (target?.healthcheck?.http && target.sidecar) return [[dep, { condition: 'service_started' }], [target.sidecar, { condition: 'service_healthy' }]];
        return [[dep, { condition: target?.healthcheck ? 'service_healthy' : 'service_started' }]];
      }),
    );
  }
  const mounts = [
    ...svc.volumes.map((v) =>
      v.kind === 'named'
        ? { type: 'volume', source: v.name, target: v.path, read_only: v.readOnly }
        : { type: 'bind', source: joinPath(paths.projectDir, v.host), target: v.path, read_only: v.readOnly },
    ),
    ...svc.files.map((f, index) => ({ type: 'bind', source: paths.mountedFile(svc.name, index, Object.keys(f.secrets).length > 0), target: f.path, read_only: true })),
  ];
  if (mounts.length > 0) out.volumes = mounts;
  out.labels = svc.labels;
  if (svc.pod) out.network_mode = `service:${svc.pod}`;
  else out.networks = ['default'];
  out.stop_grace_period = '2s';
  // PID 1 ignores SIGTERM without a handler (busybox httpd does): an init makes stops immediate.
  out.init = true;
  return out;
}

/** A service's pod: the idle program, the service's published ports, its name on the network. */
function pod(model: StackModel, svc: ServiceModel): Record<string, unknown> {
  const out: Record<string, unknown> = { image: POD_IMAGE, entrypoint: [POD_PROGRAM] };
  if (svc.ports.length > 0) out.ports = svc.ports.map((p) => `${p.host}:${p.container}`);
  out.labels = { [LABEL_PROJECT]: model.project, [LABEL_ROLE]: 'pod', [LABEL_POD_OF]: svc.name, [LABEL_MANAGED_BY]: MANAGED_BY };
  out.networks = { default: { aliases: [svc.name] } };
  out.stop_grace_period = '0s';
  return out;
}

/** A service's sidecar: its listeners and HTTP probe, in the service's network namespace. */
function sidecar(model: StackModel, svc: ServiceModel, image: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    image,
    entrypoint: ['/bin/sh', '-c', escapeDollars(sidecarScript(svc.name, svc.listeners))],
    labels: { ...stackLabels(model.project, svc.sidecar ?? svc.name), [LABEL_SIDECAR_OF]: svc.name },
    network_mode: `service:${svc.pod ?? svc.name}`,
  };
  if (svc.healthcheck?.http) out.healthcheck = healthcheck(svc.healthcheck);
  // Forwarders are ready before the service: its first outgoing call finds them.
  if (!svc.pod) out.depends_on = { [svc.name]: { condition: 'service_started' } };
  out.stop_grace_period = '0s';
  out.init = true;
  return out;
}

export function renderCompose(model: StackModel, paths: ComposePaths): Record<string, unknown> {
  const file: Record<string, unknown> = {
    services: Object.fromEntries(
      model.services.flatMap((svc) => [
        ...(svc.pod ? [[svc.pod, pod(model, svc)] as const] : []),
        [svc.name, service(model, svc, paths)] as const,
        ...(svc.sidecar ? [[svc.sidecar, sidecar(model, svc, model.sidecarImage)] as const] : []),
      ]),
    ),
    networks: { default: { name: model.network, labels: { [LABEL_PROJECT]: model.project, [LABEL_SERVICE]: '*' } } },
  };
  if (model.volumes.length > 0) {
    file.volumes = Object.fromEntries(model.volumes.map((v) => [v.name, { labels: { [LABEL_PROJECT]: model.project, [LABEL_SERVICE]: v.services.join(',') } }]));
  }
  const fileSecrets = [...new Set(model.services.flatMap((s) => s.secrets.filter((x) => x.file).map((x) => x.name)))];
  if (fileSecrets.length > 0) file.secrets = Object.fromEntries(fileSecrets.map((name) => [name, { file: paths.secretFile(name) }]));
  return file;
}

/** The variable of devpipe's own compose process that carries a secret's value for env secrets. */
export function injectVar(secret: string): string {
  return `DEVPIPE_INJECT_${secret.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The values behind `injectVar` references for a model (given to the compose process only). */
export function injectEnv(model: Pick<StackModel, 'services'>, values: ReadonlyMap<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const svc of model.services) {
    for (const use of svc.secrets) {
      if (use.env === undefined) continue;
      const value = values.get(use.name) ?? '';
      if (/[\r\n\0]/.test(value)) throw new InternalError(`secret ${use.name} has a newline and cannot be an env var of ${svc.name}`);
      env[injectVar(use.name)] = value;
    }
  }
  return env;
}
