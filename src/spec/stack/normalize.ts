/** The validated, profile-applied config → the typed StackConfig everything else uses. */
import { stringify } from 'yaml';
import type { E2eSpec, PortSpec, SecretUseSpec, ServiceSpec, SettingsSpec, StackFile, VolumeSpec, BuildSpec } from './schema.js';
import { DEFAULT_BLUBBER, DEFAULT_SIDECAR_IMAGE, type ListenerConfig, type MountedFile, type HealthcheckConfig, type ImageSource, type PortConfig, type SecretUse, type ServiceConfig, type StackConfig, type StackSettings, type SuiteConfig, type VolumeConfig } from './types.js';

/** `500ms`, `2s`, `1m` or seconds → milliseconds. */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return Math.round(value * 1000);
  const match = /^(\d+)(ms|s|m)$/.exec(value);
  if (!match) return Number.NaN;
  const amount = Number(match[1]);
  return match[2] === 'ms' ? amount : match[2] === 's' ? amount * 1000 : amount * 60_000;
}

function imageSource(build: BuildSpec | undefined, image: string | undefined): ImageSource {
  if (build !== undefined) {
    return typeof build === 'string' ? { kind: 'build', variant: build, blubber: DEFAULT_BLUBBER } : { kind: 'build', variant: build.variant, blubber: build.blubber ?? DEFAULT_BLUBBER };
  }
  return { kind: 'pinned', ref: image ?? '' };
}

export function normalizePort(port: PortSpec): PortConfig {
  if (typeof port === 'number') return { container: port, host: port };
  if (typeof port === 'string') {
    const [a, b] = port.split(':');
    return b === undefined ? { container: Number(a), host: Number(a) } : { container: Number(b), host: Number(a) };
  }
  return { container: port.container, host: port.host ?? port.container };
}

function secretUse(use: SecretUseSpec): SecretUse {
  return typeof use === 'string' ? { name: use, file: true } : { name: use.name, file: use.file, env: use.env };
}

function volume(spec: VolumeSpec): VolumeConfig {
  return spec.name !== undefined
    ? { kind: 'named', name: spec.name, path: spec.path, readOnly: spec.read_only }
    : { kind: 'bind', host: spec.host ?? '.', path: spec.path, readOnly: spec.read_only };
}

function healthcheck(spec: ServiceSpec['healthcheck']): HealthcheckConfig | undefined {
  if (!spec) return undefined;
  return {
    command: spec.command === undefined ? [] : typeof spec.command === 'string' ? ['sh', '-c', spec.command] : [...spec.command],
    ...(spec.http ? { http: { port: spec.http.port, path: spec.http.path } } : {}),
    intervalMs: durationMs(spec.interval),
    timeoutMs: durationMs(spec.timeout),
    retries: spec.retries,
    startPeriodMs: durationMs(spec.start_period),
  };
}

function mountedFile(spec: ServiceSpec['files'][number]): MountedFile {
  const content = typeof spec.content === 'string' ? spec.content : stringify(spec.content, { lineWidth: 0 });
  return { path: spec.path, content, secrets: { ...spec.secrets } };
}

function listeners(spec: ServiceSpec['listeners']): ListenerConfig[] {
  return Object.entries(spec).map(([name, l]) => {
    if (l.to !== undefined) {
      const [service = '', port = '0'] = l.to.split(':');
      return { name, port: l.port, route: { kind: 'forward', service, port: Number(port) } };
    }
    return { name, port: l.port, route: { kind: 'stub', note: l.stub ?? '' } };
  });
}

/** Dependencies first; among independent services, declaration order. */
export function dependencyOrder(services: ServiceConfig[]): ServiceConfig[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: ServiceConfig[] = [];
  const visit = (service: ServiceConfig, seen: Set<string>) => {
    if (done.has(service.name) || seen.has(service.name)) return;
    seen.add(service.name);
    for (const dep of service.dependsOn) {
      const target = byName.get(dep);
      if (target) visit(target, seen);
    }
    done.add(service.name);
    out.push(service);
  };
  for (const service of services) visit(service, new Set());
  return out;
}

function settings(spec: SettingsSpec | undefined): StackSettings {
  return {
    target: spec?.target ?? 'compose',
    healthTimeoutMs: durationMs(spec?.health_timeout ?? '120s'),
    settleMs: durationMs(spec?.settle ?? '500ms'),
    freshBuilds: spec?.fresh_builds ?? false,
    output: spec?.output ?? 'auto',
    buildConcurrency: spec?.build_concurrency ?? 2,
    pods: spec?.pods ?? true,
    sidecarImage: spec?.sidecar_image ?? DEFAULT_SIDECAR_IMAGE,
  };
}

function suite(spec: E2eSpec | undefined): SuiteConfig | undefined {
  if (!spec) return undefined;
  return {
    image: imageSource(spec.build, spec.image),
    command: spec.command,
    args: spec.args,
    env: spec.env,
    secrets: spec.secrets.map(secretUse),
    timeoutMs: durationMs(spec.timeout),
  };
}

export function normalizeStack(
  file: StackFile,
  meta: { project: string; file: string | undefined; profile: string; profiles: string[]; declaredAt: (secret: string) => string },
): StackConfig {
  const services = Object.entries(file.services).map(
    ([name, spec]): ServiceConfig => ({
      name,
      description: spec.description,
      image: imageSource(spec.build, spec.image),
      command: spec.command,
      args: spec.args,
      ports: spec.ports.map(normalizePort),
      env: spec.env,
      secrets: spec.secrets.map(secretUse),
      healthcheck: healthcheck(spec.healthcheck),
      dependsOn: spec.depends_on,
      volumes: spec.volumes.map(volume),
      syncRestart: spec.sync?.restart ?? true,
      files: spec.files.map(mountedFile),
      listeners: listeners(spec.listeners),
      ...(spec.chart ? { chart: spec.chart } : {}),
    }),
  );
  return {
    project: file.project ?? meta.project,
    file: meta.file,
    profile: meta.profile,
    profiles: meta.profiles,
    settings: settings(file.settings),
    services: dependencyOrder(services),
    e2e: suite(file.e2e),
    secrets: Object.entries(file.secrets).map(([name, decl]) => ({
      name,
      fake: 'fake' in decl ? decl.fake : undefined,
      description: 'description' in decl ? decl.description : undefined,
      declaredAt: meta.declaredAt(name),
    })),
  };
}
