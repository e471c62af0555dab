/**
 * `devpipe up --target minikube [--dry-run] [--forward]`: build (inside minikube or here), get the
 * images into the cluster, apply the rendered stack / install the chart services, wait for every
 * rollout, print how to reach each service.
 */
import type { Delivery } from '../../engine/kube/delivery.js';
import { deployStack } from '../../engine/kube/deploy.js';
import { nodePortUrls } from '../../engine/kube/manage.js';
import { buildKey } from '../../engine/stack/model.js';
import { repositoryName } from '../../engine/build.js';
import type { StackConfig } from '../../spec/stack/index.js';
import { formatDuration } from '../../ui/format.js';
import type { Context } from '../context.js';
import { compileStackBuilds, type StackSecrets } from '../stack.js';
import { dryRunText, kubePlan, type KubePlan } from './plan.js';
import { kubeSetup, requireMinikubeRunning, type KubeSetup } from './target.js';
import { forwardPorts } from './forward.js';
import { buildAndDeliver } from './images.js';

export function secretMaps(secrets: StackSecrets): { values: Map<string, string>; sources: Map<string, string> } {
  return { values: new Map(secrets.resolved.map((s) => [s.name, s.value])), sources: new Map(secrets.resolved.map((s) => [s.name, s.source])) };
}

/** Image refs and secret values as a dry run shows them (content hashes and values unknown). */
function placeholders(config: StackConfig): { refs: Map<string, string>; values: Map<string, string> } {
  const project = repositoryName(config.project);
  const refs = new Map<string, string>();
  for (const image of [...config.services.map((s) => s.image), ...(config.e2e ? [config.e2e.image] : [])]) {
    if (image.kind === 'build') refs.set(buildKey(image), `${project}:${image.variant}-<content hash>`);
  }
  return { refs, values: new Map(config.secrets.map((s) => [s.name, `[secret:${s.name}]`])) };
}

export async function kubeDryRun(ctx: Context, config: StackConfig, secrets: StackSecrets): Promise<number> {
  const { target, minikubeProfile } = await kubeSetup(ctx, config.project);
  const { sources } = secretMaps(secrets);
  const shown = placeholders(config);
  const plan = await kubePlan(ctx.projectDir, config, shown.refs, shown.values);
  await ctx.reporter();
  secrets.bus.emit('result', { command: 'up --dry-run', data: { target, objects: plan.objects.map((o) => `${o.kind}/${o.metadata.name}`), charts: plan.charts.map((c) => ({ service: c.service, release: c.release, valuesFiles: c.valuesFiles, setString: c.setString })) } });
  secrets.print(dryRunText(plan, target, { minikubeProfile, sources, timeoutMs: config.settings.healthTimeoutMs, root: ctx.projectDir }));
  return 0;
}

export interface KubeUpSummary {
  plan: KubePlan;
  setup: KubeSetup;
  delivery: Delivery | undefined;
  urls: Record<string, string[]>;
}

export async function kubeUp(ctx: Context, config: StackConfig, secrets: StackSecrets, secretsFile: string | undefined, signal: AbortSignal | undefined, withSuite = false): Promise<KubeUpSummary> {
  const setup = await kubeSetup(ctx, config.project);
  await requireMinikubeRunning(setup);
  await setup.kubectl.ping();
  // Spec problems (names, charts, copied files) and a missing helm fail before any build.
  const early = placeholders(config);
  if ((await kubePlan(ctx.projectDir, config, early.refs, early.values)).charts.length > 0) await setup.helm.version();
  const builds = await compileStackBuilds(ctx, config, withSuite, secretsFile);
  const pinned = [...new Set(config.services.flatMap((s) => (s.image.kind === 'pinned' ? [s.image.ref] : [])))];
  const { built, delivery } = await buildAndDeliver(ctx, setup, config, secrets, builds, pinned, signal);
  const refs = new Map([...built].map(([key, image]) => [key, image.contentTag]));
  const { values } = secretMaps(secrets);
  const plan = await kubePlan(ctx.projectDir, config, refs, values);
  for (const warning of plan.warnings) secrets.bus.emit('message', { level: 'warn', text: warning });
  await deployStack({ kubectl: setup.kubectl, helm: setup.helm }, secrets.bus, { project: config.project, objects: plan.objects, charts: plan.charts, timeoutMs: config.settings.healthTimeoutMs, signal });
  let urls: Record<string, string[]> = {};
  if (setup.minikubeProfile) {
    const ip = await setup.minikube.ip().catch(() => undefined);
    if (ip) urls = nodePortUrls(await setup.kubectl.get('services').catch(() => []), ip);
  }
  return { plan, setup, delivery, urls };
}

export function printKubeSummary(ctx: Context, config: StackConfig, secrets: StackSecrets, summary: KubeUpSummary, started: number): void {
  const { plan, setup } = summary;
  secrets.bus.emit('result', { command: 'up', data: { project: config.project, target: setup.target, delivery: summary.delivery?.kind, services: plan.model.services.map((s) => ({ name: s.name, image: s.imageRef, urls: summary.urls[s.name] ?? [] })) } });
  secrets.print();
  secrets.print(`${config.project} is up on ${setup.target.context}/${setup.target.namespace} (${formatDuration(Date.now() - started)})${summary.delivery ? `; images: ${summary.delivery.why}` : ''}`);
  for (const service of plan.model.services) {
    const chart = plan.charts.find((c) => c.service === service.name);
    const urls = summary.urls[service.name] ?? [];
    const reach = chart ? `(helm release ${chart.release})` : urls.length > 0 ? urls.join(' ') : '(in-cluster only)';
    secrets.print(`  ${service.name.padEnd(12)} ${reach.padEnd(28)} ${service.imageRef ?? ''}`);
  }
  const published = plan.model.services.filter((s) => s.ports.length > 0);
  if (published.length > 0) {
    secrets.print(`localhost ports as on compose: devpipe up --target minikube --forward (${published.flatMap((s) => s.ports.map((p) => `localhost:${p.host} → ${s.name}:${p.container}`)).join(', ')})`);
  }
  secrets.print('next: devpipe e2e --target minikube · devpipe logs --target minikube · devpipe status --target minikube · devpipe down --target minikube');
}

export async function runKubeUp(ctx: Context, config: StackConfig, secrets: StackSecrets, options: Record<string, unknown>): Promise<number> {
  const started = Date.now();
  const signal = options.signal as AbortSignal | undefined;
  const summary = await kubeUp(ctx, config, secrets, options.secrets as string | undefined, signal);
  await ctx.finish();
  printKubeSummary(ctx, config, secrets, summary, started);
  if (options.forward === true) await forwardPorts(summary.setup, summary.plan.model, secrets, signal);
  return 0;
}
