/**
 * Services deployed by a Helm chart (a local chart directory, e.g. from a deployment-charts
 * checkout): which chart, which values in which order, which image keys. Pure.
 *
 * Values are layered as deployment-charts' helmfiles do (later wins):
 *   1. the chart's own values.yaml (helm reads it)
 *   2. the service's environment-independent values (`values.yaml` of helmfile.d/services/<svc>/)
 *   3. the private slot (`/etc/helmfile-defaults/private/…` in production): here the fake secrets,
 *      as `config.private.<KEY>`, plus the service's `env:` as `config.public.<KEY>`; given on stdin
 *   4. the environment's values (`values-staging.yaml`, and any later file)
 *   5. the image override: `main_app.image`/`main_app.version` (what PipelineLib's deploy and
 *      update_version.py write) or `app.image`/`app.version` for charts on the newer scaffold.
 */
import type { ServiceModel } from '../stack/model.js';

export interface ChartConfig {
  /** The chart directory, relative to the project. */
  path: string;
  /** Values files, relative to the project, in order. */
  values: string[];
  /** Release name (default: the service name). */
  release?: string | undefined;
  /** Run `helm test` after the install, as PipelineLib's deploy step does (default true). */
  test?: boolean | undefined;
  /** The staging-defaults layer (general values), relative to the project. */
  defaults?: string | undefined;
  /** Values path → secret name: fakes written into the private slot there. */
  secrets?: Record<string, string> | undefined;
  /** Values set last (`helm --set`). */
  set?: Record<string, string | number | boolean | null> | undefined;
}

/** The chart a service names (`chart:` in devpipe.yaml), normalized; undefined for manifest-deployed services. */
export function chartOf(service: { chart?: (Omit<ChartConfig, 'values'> & { values?: string[] | undefined }) | undefined }): ChartConfig | undefined {
  const chart = service.chart;
  if (!chart) return undefined;
  return {
    path: chart.path,
    values: chart.values ?? [],
    release: chart.release,
    test: chart.test,
    ...(chart.defaults ? { defaults: chart.defaults } : {}),
    ...(chart.secrets && Object.keys(chart.secrets).length > 0 ? { secrets: chart.secrets } : {}),
    ...(chart.set && Object.keys(chart.set).length > 0 ? { set: chart.set } : {}),
  };
}

/** `{a: {b: v}}` from `a.b` and v, merged into target. */
function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let cur = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) cur[key] = value;
    else cur = (cur[key] = typeof cur[key] === 'object' && cur[key] !== null ? cur[key] : {}) as Record<string, unknown>;
  });
}

export type ImageKeys = 'main_app' | 'app';

/** Which keys the chart reads its image from: the section that declares `image`, main_app first (PipelineLib's default). */
export function imageKeysOf(chartValues: unknown): ImageKeys {
  const values = (chartValues ?? {}) as Record<string, unknown>;
  const has = (key: string) => typeof values[key] === 'object' && values[key] !== null && 'image' in (values[key] as object);
  if (has('main_app')) return 'main_app';
  if (has('app')) return 'app';
  return 'main_app';
}

/** `registry/path:tag` split as the standard chart composes it: `{{docker.registry}}/{{x.image}}:{{x.version}}`. */
export function splitImage(ref: string): { registry: string; image: string; version: string } {
  const at = ref.indexOf('@');
  const clean = at >= 0 ? ref.slice(0, at) : ref;
  const slash = clean.indexOf('/');
  const first = slash >= 0 ? clean.slice(0, slash) : '';
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  // Docker Hub names normalize to docker.io/library/<name>: the same local image for docker and containerd.
  const registry = hasHost ? first : 'docker.io';
  let rest = hasHost ? clean.slice(slash + 1) : clean;
  if (!hasHost && !rest.includes('/')) rest = `library/${rest}`;
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/') ? { registry, image: rest.slice(0, colon), version: rest.slice(colon + 1) } : { registry, image: rest, version: 'latest' };
}

/** The private slot goes before the first environment file (`values-<env>.yaml`), else after all files. */
export function layerValues(files: readonly string[], slot = '-'): string[] {
  const index = files.findIndex((f) => /(^|\/)values-[^/]+\.ya?ml$/.test(f));
  return index < 0 ? [...files, slot] : [...files.slice(0, index), slot, ...files.slice(index)];
}

export interface ChartPlan {
  service: string;
  release: string;
  /** The chart directory as given to helm (absolute). */
  chart: string;
  /** In order; `-` is the private slot (stdin). */
  valuesFiles: string[];
  /** The private slot document (secret values in it: never printed unredacted, never written to disk). */
  privateValues: { config: { private: Record<string, string>; public: Record<string, string> } } & Record<string, unknown>;
  setString: Record<string, string>;
  /** `--set` (typed), after the values files. */
  set: Record<string, string>;
  imageKeys: ImageKeys;
  test: boolean;
}

export function chartPlan(
  service: ServiceModel,
  chart: ChartConfig,
  options: { chartValues: unknown; secretValues: ReadonlyMap<string, string>; resolve: (relative: string) => string },
): ChartPlan {
  const keys = imageKeysOf(options.chartValues);
  const secrets: Record<string, string> = {};
  for (const use of service.secrets) secrets[use.env ?? use.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')] = options.secretValues.get(use.name) ?? '';
  const setString: Record<string, string> = {};
  if (service.imageRef) {
    const image = splitImage(service.imageRef);
    Object.assign(setString, { 'docker.registry': image.registry, 'docker.pull_policy': 'IfNotPresent', [`${keys}.image`]: image.image, [`${keys}.version`]: image.version });
  }
  const privateValues: ChartPlan['privateValues'] = { config: { private: secrets, public: { ...service.env } } };
  for (const [dotted, secret] of Object.entries(chart.secrets ?? {})) setPath(privateValues, dotted, options.secretValues.get(secret) ?? '');
  return {
    service: service.name,
    release: chart.release ?? service.name,
    chart: options.resolve(chart.path),
    valuesFiles: [...(chart.defaults ? [options.resolve(chart.defaults)] : []), ...layerValues(chart.values.map(options.resolve))],
    privateValues,
    setString,
    set: Object.fromEntries(Object.entries(chart.set ?? {}).map(([k, v]) => [k, v === null ? 'null' : String(v)])),
    imageKeys: keys,
    test: chart.test ?? true,
  };
}
