/**
 * PipelineLib's `deploy` step on a kube target (pipelinelib.md §1.5): generated values
 * (docker.registry, docker.pull_policy, main_app.image, main_app.version) deep-merged under the
 * step's `overrides`, `helm install <8 random chars> <chart> --values - --wait --timeout N`
 * (`--repo https://helm-charts.wikimedia.org/stable/ [--version V]` for a published chart), the
 * release uninstalled at once when the install fails, then `helm test` unless `test: false`.
 * Exports `releaseName`. The release stays up until the run's teardown (`undeployRelease`).
 */
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import type { ResolvedDeploy } from '../../spec/pipeline/resolve.js';
import type { EventBus } from '../events.js';
import { splitImage } from './chart.js';
import type { HelmClient } from './ports.js';

export const WMF_CHART_REPO = 'https://helm-charts.wikimedia.org/stable/';
export const WMF_REGISTRY = 'docker-registry.wikimedia.org';

export interface PipelineDeployRequest {
  /** `chart.name` (from the chart repo) or a local chart directory (`path`, absolute), devpipe's offline extension. */
  chart: { name?: string | undefined; version?: string | undefined; path?: string | undefined };
  /** The image short name (PipelineLib: `${.imageName}`): becomes `wikimedia/<image>`. */
  image: string;
  /** The image tag (PipelineLib: `${.imageTag}`). */
  tag: string;
  /**
   * A local image reference to run instead of `docker-registry.wikimedia.org/wikimedia/<image>:<tag>`
   * (what devpipe built and loaded into the cluster); registry, image and version come from it.
   */
  localImage?: string | undefined;
  overrides?: Record<string, unknown> | undefined;
  /** Run `helm test` (default true). */
  test?: boolean | undefined;
  /** Seconds (PipelineLib default 120). */
  timeout?: number | undefined;
  /** Fixed release name (tests); default 8 random [a-z0-9]. */
  release?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface PipelineDeployResult {
  releaseName: string;
  values: Record<string, unknown>;
}

/**
 * A resolved `deploy` step (spec/pipeline) as a request: what `devpipe ci` passes to
 * `deployToKube`, with the local image it built (and loaded) and, offline, a local chart directory.
 */
export function deployRequestOf(step: ResolvedDeploy, local: { localImage?: string | undefined; chartPath?: string | undefined; signal?: AbortSignal | undefined } = {}): PipelineDeployRequest {
  return {
    chart: { name: step.chart.name || undefined, version: step.chart.version || undefined, path: local.chartPath },
    image: step.image,
    tag: step.tag,
    localImage: local.localImage,
    overrides: step.overrides,
    test: step.test,
    timeout: step.timeout ?? undefined,
    signal: local.signal,
  };
}

export function randomRelease(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Deep merge (maps merge, everything else replaces), as PipelineLib merges `overrides`. */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
    out[key] = isMap(prev) && isMap(value) ? deepMerge(prev, value) : value;
  }
  return out;
}

export function pipelineDeployValues(request: PipelineDeployRequest): Record<string, unknown> {
  const image = request.localImage ? splitImage(request.localImage) : { registry: WMF_REGISTRY, image: `wikimedia/${request.image}`, version: request.tag };
  const generated = { docker: { registry: image.registry, pull_policy: 'IfNotPresent' }, main_app: { image: image.image, version: image.version } };
  return deepMerge(generated, request.overrides ?? {});
}

export async function deployRelease(helm: HelmClient, bus: EventBus, request: PipelineDeployRequest): Promise<PipelineDeployResult> {
  const releaseName = request.release ?? randomRelease();
  const values = pipelineDeployValues(request);
  const timeoutMs = (request.timeout ?? 120) * 1000;
  const local = request.chart.path !== undefined;
  const chart = local ? request.chart.path! : request.chart.name ?? request.image;
  const id = `deploy:${releaseName}`;
  const started = Date.now();
  bus.emit('task:start', { id, title: `helm install ${releaseName} ${chart} (${helm.target.context}/${helm.target.namespace})` });
  try {
    await helm.install(
      { mode: 'install', release: releaseName, chart, repo: local ? undefined : WMF_CHART_REPO, version: request.chart.version || undefined, valuesFiles: ['-'], stdin: stringify(values), setString: {}, timeoutMs },
      { signal: request.signal, onLine: (line) => bus.emit('task:log', { id, line }) },
    );
  } catch (error) {
    await helm.uninstall(releaseName).catch(() => undefined);
    bus.emit('task:end', { id, status: 'failed', durationMs: Date.now() - started });
    throw error;
  }
  bus.emit('task:end', { id, status: 'ok', durationMs: Date.now() - started });
  if (request.test ?? true) {
    const testId = `helm-test:${releaseName}`;
    const t0 = Date.now();
    bus.emit('task:start', { id: testId, title: `helm test ${releaseName}` });
    try {
      await helm.test(releaseName, timeoutMs, { signal: request.signal });
      bus.emit('task:end', { id: testId, status: 'ok', durationMs: Date.now() - t0 });
    } catch (error) {
      bus.emit('task:end', { id: testId, status: 'failed', durationMs: Date.now() - t0 });
      throw error;
    }
  }
  return { releaseName, values };
}

/** Teardown: uninstall every release the run deployed. */
export async function undeployReleases(helm: HelmClient, releases: readonly string[]): Promise<void> {
  for (const release of releases) await helm.uninstall(release);
}
