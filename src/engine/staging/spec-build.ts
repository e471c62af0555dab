/**
 * The facts of one imported service → its devpipe.yaml entry, with a comment per value saying
 * where it came from (file:line in the charts), the secrets to declare, and a line for every
 * part of staging that is dropped or stood in for (R14). Pure.
 */
import type { Adaptation } from './adapt.js';
import type { ContainerFacts, Probe } from './container.js';
import { getPath, isValuesMap, whereSet, type Provenance, type Values } from './layers.js';
import type { ListenerDef } from './listeners.js';
import type { ImportOptions, ServiceImport } from './model.js';
import type { RenderedChart } from './render-chart.js';
import { markersInYaml, type SecretSlot } from './secrets.js';
import type { Layering } from './service.js';
import { renderDefine } from '../../spec/charts/gotemplate/render.js';
import { loadDefines } from '../../spec/charts/gotemplate/render.js';
import { helmData } from './render-chart.js';

export interface EntryInput {
  name: string;
  layering: Layering;
  values: Values;
  /** Staging's values before devpipe's local adaptations. */
  stagingValues: Values;
  provenance: Provenance;
  chartDefaults: Values;
  image: { ref: string; name: string; version: string };
  built: { variant: string; why: string; note?: string | undefined; from: string } | undefined;
  container: ContainerFacts | undefined;
  renderErrors: string[];
  slots: SecretSlot[];
  listeners: { routes: { def: ListenerDef; to?: { service: string; port: number }; stub?: string }[]; notes: string[]; warnings: string[] };
  adaptation: Adaptation;
  options: ImportOptions;
  rendered: RenderedChart;
  templates: { name: string; text: string }[];
}

const tidy = (text: string) => text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '');

function healthOf(probe: Probe | undefined, appPort: number | undefined, publicPort: unknown, notes: string[]): Values | undefined {
  if (!probe) return undefined;
  const timing = { interval: `${probe.periodSeconds && probe.periodSeconds < 5 ? probe.periodSeconds : 2}s`, retries: 60, ...(probe.initialDelaySeconds ? { start_period: `${probe.initialDelaySeconds}s` } : {}) };
  if (probe.http) {
    let port = probe.http.port;
    if (port === publicPort && appPort) {
      notes.push(`readiness probe on the mesh port ${port} (${probe.http.scheme}) → app port ${appPort} over HTTP`);
      port = appPort;
    }
    return { http: { port, path: probe.http.path }, ...timing };
  }
  if (probe.exec) return { command: probe.exec, ...timing };
  notes.push(`readiness probe is TCP ${probe.tcp?.port ?? ''}: no healthcheck, the service counts as ready once running`);
  return undefined;
}

export function buildEntry(input: EntryInput): ServiceImport {
  const { name, layering: l, values, provenance, container, options } = input;
  const comments = new Map<string, string>();
  const notes: string[] = [...input.listeners.notes, ...input.adaptation.notes];
  const warnings: string[] = [...input.listeners.warnings];
  const where = (path: (string | number)[]) => whereSet(provenance, path) ?? 'chart template';
  const appPort = typeof getPath(values, ['app', 'port']) === 'number' ? (getPath(values, ['app', 'port']) as number) : container?.ports[0];
  const publicPort = getPath(values, ['mesh', 'public_port']);
  const spec: Values = { description: `staging: chart ${l.chart}, release ${l.release}, namespace ${l.namespace} (helmfile.d/services/${name})` };

  if (input.built) {
    spec.build = input.built.variant;
    comments.set('build', `built here: ${input.built.from} publishes ${input.image.name}; ${input.built.why}${input.built.note ? ` (${input.built.note})` : ''}`);
    if (input.built.note) warnings.push(`${name}: ${input.built.note}`);
  } else {
    spec.image = input.image.ref;
    comments.set('image', `pinned at staging's version: main_app.image ${where(['main_app', 'image'])}, main_app.version ${where(['main_app', 'version'])}`);
    if (['latest', 'stable'].includes(input.image.version)) warnings.push(`${name}: image version "${input.image.version}" is the chart default: not pinned by staging`);
  }
  if (!container) {
    warnings.push(`${name}: the chart's Deployment could not be rendered (${input.renderErrors.join('; ') || 'no Deployment'}): command, env, probes and config files are not imported`);
  }
  if (container?.command) {
    spec.command = container.command;
    comments.set('command', `${container.template} (the chart overrides the image entrypoint)`);
  }
  if (container?.args) {
    spec.args = container.args;
    comments.set('args', container.template);
  }
  if (appPort && options.publish) {
    spec.ports = [appPort];
    comments.set('ports', `app.port ${where(['app', 'port'])}${typeof publicPort === 'number' ? `; staging serves TLS on mesh.public_port ${publicPort}` : ''}`);
  }

  // Env and secrets: a marker in a value is a secret landing there.
  const markers = new Map(input.slots.map((s) => [s.marker, s]));
  const env: Record<string, string> = {};
  const secretUses: Values[] = [];
  const secrets = new Map<string, string>();
  const declare = (slot: SecretSlot, where_: string) => secrets.set(slot.name, `fake for ${slot.path.join('.')} (${slot.why}); staging's value lives in the SRE private file; used in ${where_}`);
  for (const e of container?.env ?? []) {
    const slot = markers.get(e.secret?.value ?? e.value ?? '');
    if (slot) {
      secretUses.push({ name: slot.name, env: e.name, file: false });
      declare(slot, `env ${e.name}`);
      continue;
    }
    if (e.secret) {
      warnings.push(`${name}: env ${e.name} comes from Secret ${e.secret.name} key ${e.secret.key}, which devpipe could not map to a values path`);
      continue;
    }
    if (e.name === 'NODE_EXTRA_CA_CERTS') {
      notes.push(`env NODE_EXTRA_CA_CERTS dropped: the Puppet CA is not reproduced (no TLS locally)`);
      continue;
    }
    env[e.name] = e.value ?? '';
    const source = e.name === 'SERVICE_IDENTIFIER' ? container?.template ?? 'template' : where(['config', 'public', e.name]);
    comments.set(`env.${e.name}`, source);
  }
  if (Object.keys(env).length > 0) spec.env = env;
  if (secretUses.length > 0) spec.secrets = secretUses;

  const health = healthOf(container?.readiness, appPort, publicPort, notes);
  if (health) {
    spec.healthcheck = health;
    comments.set('healthcheck', `readiness probe: ${where(['main_app', 'readiness_probe'])}`);
  }

  // Files the chart mounts, with secrets written into them at deploy time.
  const fileList = [...(container?.files ?? [])];
  const streamUri = getPath(values, ['main_app', 'conf', 'stream_config_uri']);
  if (typeof streamUri === 'string' && streamUri.startsWith('/') && !fileList.some((f) => f.path === streamUri) && input.adaptation.changed.has('main_app.conf.stream_config_uri')) {
    const ctx = { defines: loadDefines(input.templates).defines, missing: new Set<string>() };
    const text = renderDefine('stream.config', helmData(values, l.chartYaml, l.release, l.namespace), ctx);
    if (text) fileList.push({ path: streamUri, content: text, from: "the chart's stream.config template (file mode)", secret: false });
  }
  const files: Values[] = [];
  for (const file of fileList) {
    let content = file.content;
    const found = [...markers.keys()].filter((m) => content.includes(m));
    const fileSecrets: Record<string, string> = {};
    if (found.length > 0) {
      const hits = markersInYaml(content, markers);
      if (!hits || hits.length < found.length) {
        warnings.push(`${name}: ${file.path} embeds a secret inside a non-YAML value: not imported`);
        continue;
      }
      for (const hit of hits) {
        fileSecrets[hit.keyPath] = hit.slot.name;
        declare(hit.slot, `${file.path} (${hit.keyPath})`);
        content = content.replaceAll(hit.slot.marker, `<devpipe writes secret ${hit.slot.name} here at deploy time>`);
      }
    }
    const entry: Values = { path: file.path, content: tidy(content) };
    if (Object.keys(fileSecrets).length > 0) entry.secrets = fileSecrets;
    comments.set(`files.${files.length}`, `rendered from ${file.from}`);
    files.push(entry);
  }
  if (files.length > 0) spec.files = files;
  for (const slot of input.slots) {
    if (![...secrets.keys()].includes(slot.name)) notes.push(`private value ${slot.path.join('.')} is not used by what runs locally (no fake declared)`);
  }

  const listeners: Values = {};
  for (const route of input.listeners.routes) {
    listeners[route.def.name] = route.to ? { port: route.def.port, to: `${route.to.service}:${route.to.port}` } : { port: route.def.port, stub: route.stub ?? '' };
    comments.set(`listeners.${route.def.name}`, `discovery.listeners ${where(['discovery', 'listeners'])}; definition: ${route.def.from}`);
  }
  if (Object.keys(listeners).length > 0) spec.listeners = listeners;

  const needs = [...new Set([...input.listeners.routes.flatMap((r) => (r.to ? [r.to.service] : [])), ...input.adaptation.services, ...input.adaptation.datastores])];
  if (needs.length > 0) spec.depends_on = needs;

  const chartDir = `${options.chartsFromProject}/charts/${l.chart}`;
  const svcDir = `${options.chartsFromProject}/helmfile.d/services/${name}`;
  const valuesFiles = l.layers.filter((x) => x.status === 'read' && x.role !== 'chart defaults' && !x.role.startsWith('general')).map((x) => `${options.chartsFromProject}/${x.file}`);
  const chartSecrets = Object.fromEntries(input.slots.filter((slot) => secrets.has(slot.name)).map((slot) => [slot.path.join('.'), slot.name]));
  const set: Values = {};
  for (const [path, value] of [
    [['mesh', 'enabled'], false],
    [['ingress', 'enabled'], false],
    [['networkpolicy', 'egress', 'enabled'], false],
    [['monitoring', 'enabled'], false],
    [['service', 'port'], null],
    [['external_services'], null],
  ] as const) {
    const current = getPath(input.stagingValues, [...path]);
    if (current !== undefined && current !== value && !(value === false && current === false)) set[path.join('.')] = value;
  }
  spec.chart = {
    path: chartDir,
    defaults: `${options.chartsFromProject}/${options.generalFile}`,
    values: valuesFiles,
    release: l.release,
    test: false,
    ...(Object.keys(chartSecrets).length > 0 ? { secrets: chartSecrets } : {}),
    ...(Object.keys(set).length > 0 ? { set } : {}),
  };
  comments.set('chart', `--target minikube: the chart as staging renders it (layers as ${svcDir}/helmfile.yaml lists them)`);
  comments.set('chart.test', "the helm test pod runs service-checker from staging's registry: off locally");
  if (Object.keys(set).length > 0) comments.set('chart.set', 'what the local copy turns off: the mesh and its TLS (cert-manager), ingress, egress policies, monitoring, fixed nodePorts (minikube accepts 30000-32767 only)');

  notes.push(...dropped(values, input.rendered, name));
  if (input.renderErrors.length > 0) warnings.push(...input.renderErrors.map((e) => `${name}: could not render ${e}`));
  return { name, chart: l.chart, release: l.release, namespace: l.namespace, kind: input.built ? 'built' : 'pinned', appPort, spec, comments, secrets, needs, layers: l.layers, notes, warnings };
}

/** R14: what staging runs that the local copy does not, one line each. */
function dropped(values: Values, rendered: RenderedChart, name: string): string[] {
  const out: string[] = [];
  const on = (path: string[]) => getPath(values, path) === true;
  if (isValuesMap(values.mesh) && (values.mesh.public_port !== undefined)) out.push(`envoy mesh sidecar and its TLS (public port ${String(values.mesh.public_port)}), cert-manager Certificate: not reproduced; listeners are served by the sidecar, the service is reached on plain HTTP`);
  if (on(['monitoring', 'enabled'])) out.push('monitoring (prometheus scrape, statsd exporter sidecar): dropped; metrics sent to localhost go nowhere');
  if (on(['ingress', 'enabled'])) out.push('Istio ingress (Gateway/HTTPRoute): dropped; the published port stands in for it');
  if (on(['networkpolicy', 'egress', 'enabled'])) out.push('NetworkPolicy egress rules: not reproduced (the local network is open)');
  if (isValuesMap(values.external_services) && Object.keys(values.external_services).length > 0) out.push(`external_services (Calico policies ${Object.keys(values.external_services).join(', ')}): not reproduced`);
  const requests = getPath(values, ['main_app', 'requests']);
  const limits = getPath(values, ['main_app', 'limits']);
  if (requests || limits) out.push(`CPU/memory requests and limits (${JSON.stringify(requests ?? {})} / ${JSON.stringify(limits ?? {})}): not copied (opt-in)`);
  const replicas = getPath(values, ['resources', 'replicas']);
  if (typeof replicas === 'number' && replicas !== 1) out.push(`replicas ${replicas}: one container locally`);
  if (values.affinity && Object.keys(values.affinity as object).length > 0) out.push('affinity/tolerations: dropped');
  for (const m of rendered.manifests) {
    if (m.kind === 'CronJob') out.push(`CronJob ${m.name} (${m.template}): not scheduled locally; run it by hand as a one-shot if needed`);
    if (m.kind === 'PodDisruptionBudget') out.push(`PodDisruptionBudget ${m.name}: dropped`);
  }
  if (getPath(values, ['cronJobEnabled']) === false) out.push(`CronJob disabled in staging (cronJobEnabled: false): offered as a one-shot job, run only on request`);
  out.push(`helm test pod (service-checker): not run; the e2e suite stands in for it (target http://${name}:<port> on the stack network)`);
  return out;
}
