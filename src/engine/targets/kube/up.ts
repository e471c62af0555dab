/**
 * `up` on Kubernetes: build (inside minikube or here), get the images into the cluster, apply the
 * rendered stack / install the chart services, wait for every rollout; and its dry run.
 */
import type { Delivery } from '../../kube/delivery.js';
import { deployStack } from '../../kube/deploy.js';
import { nodePortUrls } from '../../kube/manage.js';
import { placeholderRefs } from '../../stack/model.js';
import type { StackSecrets } from '../../project/secrets.js';
import type { DryRun, LoadedStack, UpResult } from '../types.js';
import { kubePlan, type KubePlan } from './plan.js';
import { requireMinikubeRunning, type KubePorts, type KubeSetup } from './target.js';
import { buildAndDeliver } from './images.js';
import type { StackConfig } from '../../../spec/stack/index.js';

export function secretMaps(secrets: Pick<StackSecrets, 'resolved'>): { values: Map<string, string>; sources: Map<string, string> } {
  return { values: new Map(secrets.resolved.map((s) => [s.name, s.value])), sources: new Map(secrets.resolved.map((s) => [s.name, s.source])) };
}

/** Secret values as a dry run shows them (values unknown). */
function placeholderValues(config: StackConfig): Map<string, string> {
  return new Map(config.secrets.map((s) => [s.name, `[secret:${s.name}]`]));
}

export async function kubeDryRun(ports: KubePorts, stack: LoadedStack): Promise<{ plan: KubePlan; setup: KubeSetup; sources: Map<string, string> } & Pick<DryRun, 'data'>> {
  const { config, secrets } = stack;
  const setup = await ports.setup(config.project);
  const { sources } = secretMaps(secrets);
  const plan = await kubePlan(ports.reader, config, placeholderRefs(config), placeholderValues(config));
  const data = { target: setup.target, objects: plan.objects.map((o) => `${o.kind}/${o.metadata.name}`), charts: plan.charts.map((c) => ({ service: c.service, release: c.release, valuesFiles: c.valuesFiles, setString: c.setString })) };
  return { plan, setup, sources, data };
}

export interface KubeUp {
  plan: KubePlan;
  setup: KubeSetup;
  delivery: Delivery | undefined;
  urls: Record<string, string[]>;
  /** Build key → content tag deployed. */
  tags: Map<string, string>;
}

/** Builds, delivers and applies the whole stack (idempotent: only Deployments whose image changed roll out). */
export async function kubeUp(ports: KubePorts, stack: LoadedStack, signal: AbortSignal | undefined, withSuite = false): Promise<KubeUp> {
  const { config, secrets } = stack;
  const setup = await ports.setup(config.project);
  await requireMinikubeRunning(setup);
  await setup.kubectl.ping();
  // Spec problems (names, charts, copied files) and a missing helm fail before any build.
  if ((await kubePlan(ports.reader, config, placeholderRefs(config), placeholderValues(config))).charts.length > 0) await setup.helm.version();
  const builds = await stack.compile({ withSuite });
  const pinned = [...new Set(config.services.flatMap((s) => (s.image.kind === 'pinned' ? [s.image.ref] : [])))];
  const { built, delivery } = await buildAndDeliver(ports, setup, config, secrets, builds, pinned, signal);
  const tags = new Map([...built].map(([key, image]) => [key, image.contentTag]));
  const plan = await applyStack(ports, setup, config, secrets, tags, signal);
  let urls: Record<string, string[]> = {};
  if (setup.minikubeProfile) {
    const ip = await setup.minikube.ip().catch(() => undefined);
    if (ip) urls = nodePortUrls(await setup.kubectl.get('services').catch(() => []), ip);
  }
  return { plan, setup, delivery, urls, tags };
}

/** Renders the stack with these images and applies it, waiting for every rollout. */
export async function applyStack(ports: KubePorts, setup: KubeSetup, config: StackConfig, secrets: Pick<StackSecrets, 'bus' | 'resolved'>, tags: ReadonlyMap<string, string>, signal: AbortSignal | undefined): Promise<KubePlan> {
  const plan = await kubePlan(ports.reader, config, tags, secretMaps(secrets).values);
  for (const warning of plan.warnings) secrets.bus.emit('message', { level: 'warn', text: warning });
  await deployStack({ kubectl: setup.kubectl, helm: setup.helm }, secrets.bus, { project: config.project, objects: plan.objects, charts: plan.charts, timeoutMs: config.settings.healthTimeoutMs, signal });
  return plan;
}

export function kubeUpResult(config: StackConfig, up: KubeUp): UpResult {
  const { plan, setup } = up;
  const services = plan.model.services.map((service) => {
    const chart = plan.charts.find((c) => c.service === service.name);
    const urls = up.urls[service.name] ?? [];
    return { name: service.name, reach: chart ? [`(helm release ${chart.release})`] : urls.length > 0 ? urls : ['(in-cluster only)'], image: service.imageRef ?? '' };
  });
  const published = plan.model.services.filter((s) => s.ports.length > 0);
  return {
    project: config.project,
    where: `${setup.target.context}/${setup.target.namespace}`,
    note: up.delivery ? `images: ${up.delivery.why}` : undefined,
    services,
    hints:
      published.length > 0
        ? [`localhost ports as on compose: devpipe up --target minikube --forward (${published.flatMap((s) => s.ports.map((p) => `localhost:${p.host} → ${s.name}:${p.container}`)).join(', ')})`]
        : [],
    targetFlag: ' --target minikube',
    data: { project: config.project, target: setup.target, delivery: up.delivery?.kind, services: plan.model.services.map((s) => ({ name: s.name, image: s.imageRef, urls: up.urls[s.name] ?? [] })) },
  };
}
