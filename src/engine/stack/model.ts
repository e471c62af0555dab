/**
 * The target-neutral stack model: what runs, from which image, with which ports, env, secrets,
 * health checks, dependencies and volumes, and the labels everything carries. The compose
 * renderer turns it into a compose file; the kube renderer (issue #7) into manifests. Pure.
 */
import type { ImageSource, ServiceConfig, StackConfig, SuiteConfig } from '../../spec/stack/types.js';
import { repositoryName } from '../build.js';
import { LABEL_MANAGED_BY, LABEL_PROJECT, LABEL_ROLE, LABEL_SERVICE, MANAGED_BY } from '../labels.js';

/** Label keys live in engine/labels.ts; these are re-exported for the stack's modules. */
export { LABEL_PROJECT, LABEL_ROLE, LABEL_RUN, LABEL_SERVICE } from '../labels.js';
export const E2E_SERVICE = 'e2e';

/** `blubber file#variant`: one image per distinct build. */
export function buildKey(source: Extract<ImageSource, { kind: 'build' }>): string {
  return `${source.blubber}#${source.variant}`;
}

export interface ServiceModel extends ServiceConfig {
  /** The image to run: the pinned ref, or the built image's content tag (undefined until built). */
  imageRef: string | undefined;
  labels: Record<string, string>;
  /**
   * The compose service of its pod, for a built service: an idle container that holds the
   * service's network (address, published ports, aliases), so replacing the service's container
   * touches no network (no port release, no proxy, no new address). Like a Kubernetes pod.
   */
  pod?: string | undefined;
  /**
   * The compose service of its sidecar (`<service>.mesh`), when it has listeners or an HTTP
   * healthcheck: a small container in the service's network namespace that serves the listeners
   * on `localhost:<port>` (forwarders and stubs, standing in for staging's envoy) and runs the
   * HTTP probe from outside the service's container.
   */
  sidecar?: string | undefined;
}

/** The sidecar's compose service name. */
export function sidecarName(service: string): string {
  return `${service}.mesh`;
}

/** True when a service needs a sidecar (listeners to serve or an HTTP probe to run). */
export function needsSidecar(service: Pick<ServiceConfig, 'listeners' | 'healthcheck'>): boolean {
  return service.listeners.length > 0 || service.healthcheck?.http !== undefined;
}

/** The pod's compose service name (a dot: no devpipe service name can have one). */
export function podName(service: string): string {
  return `${service}.pod`;
}

export interface SuiteModel extends SuiteConfig {
  imageRef: string | undefined;
  labels: Record<string, string>;
}

export interface StackModel {
  project: string;
  /** The one network every service and the e2e suite join (pinned name). */
  network: string;
  services: ServiceModel[];
  suite?: SuiteModel | undefined;
  /** Named volumes and the services that mount them. */
  volumes: { name: string; services: string[] }[];
  /** Secret names mounted or exposed anywhere. */
  secrets: string[];
  labels: Record<string, string>;
  /** The image of the services' sidecars (settings.sidecar_image). */
  sidecarImage: string;
}

export function networkName(project: string): string {
  return `devpipe-${project}`;
}

/** Labels for one object of the stack. */
export function stackLabels(project: string, service: string, role: 'stack' | 'e2e' = 'stack'): Record<string, string> {
  return { [LABEL_PROJECT]: project, [LABEL_SERVICE]: service, [LABEL_ROLE]: role, [LABEL_MANAGED_BY]: MANAGED_BY };
}

function refOf(source: ImageSource, built: ReadonlyMap<string, string>): string | undefined {
  return source.kind === 'pinned' ? source.ref : built.get(buildKey(source));
}

/** Every distinct build of the stack (services first, then the e2e suite when asked). */
export function buildsOf(config: StackConfig, withSuite: boolean): Extract<ImageSource, { kind: 'build' }>[] {
  const sources = [...config.services.map((s) => s.image), ...(withSuite && config.e2e ? [config.e2e.image] : [])];
  const seen = new Set<string>();
  const out: Extract<ImageSource, { kind: 'build' }>[] = [];
  for (const source of sources) {
    if (source.kind !== 'build' || seen.has(buildKey(source))) continue;
    seen.add(buildKey(source));
    out.push(source);
  }
  return out;
}

export function stackModel(config: StackConfig, built: ReadonlyMap<string, string> = new Map()): StackModel {
  const services = config.services.map(
    (service): ServiceModel => ({
      ...service,
      imageRef: refOf(service.image, built),
      labels: stackLabels(config.project, service.name),
      // A pinned service gets a pod too when its sidecar needs the namespace (as on Kubernetes).
      pod: config.settings.pods && (service.image.kind === 'build' || needsSidecar(service)) ? podName(service.name) : undefined,
      sidecar: needsSidecar(service) ? sidecarName(service.name) : undefined,
    }),
  );
  const volumes = new Map<string, string[]>();
  for (const service of services) {
    for (const volume of service.volumes) if (volume.kind === 'named') volumes.set(volume.name, [...(volumes.get(volume.name) ?? []), service.name]);
  }
  const suite: SuiteModel | undefined = config.e2e
    ? { ...config.e2e, imageRef: refOf(config.e2e.image, built), labels: stackLabels(config.project, E2E_SERVICE, 'e2e') }
    : undefined;
  const secrets = [...new Set([...services.flatMap((s) => s.secrets.map((x) => x.name)), ...(suite?.secrets.map((x) => x.name) ?? [])])];
  return {
    project: config.project,
    network: networkName(config.project),
    services,
    suite,
    volumes: [...volumes].map(([name, users]) => ({ name, services: users })),
    secrets,
    labels: { [LABEL_PROJECT]: config.project },
    sidecarImage: config.settings.sidecarImage,
  };
}

/** Where a service is reachable from this machine. */
export function serviceUrls(service: Pick<ServiceConfig, 'ports'>): string[] {
  return service.ports.map((p) => `http://localhost:${p.host}`);
}

/** Image refs as a dry run shows them: built images are `<project>:<variant>-<content hash>`. */
export function placeholderRefs(config: StackConfig): Map<string, string> {
  const project = repositoryName(config.project);
  const refs = new Map<string, string>();
  for (const image of [...config.services.map((s) => s.image), ...(config.e2e ? [config.e2e.image] : [])]) {
    if (image.kind === 'build') refs.set(buildKey(image), `${project}:${image.variant}-<content hash>`);
  }
  return refs;
}
