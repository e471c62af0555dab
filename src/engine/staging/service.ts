/**
 * One service of deployment-charts → its devpipe.yaml entry: layering (R2), release (R1), built
 * or pinned (R4/R5), the chart rendered with a private slot of markers, listeners (R9), local
 * adaptations (R10–R14, R17), then the main container's facts mapped to devpipe's keys. Reads
 * through the TextTree port only.
 */
import { parse } from 'yaml';
import { DevpipeError } from '../../errors.js';
import type { TextTree } from '../../ports.js';
import { adapt, clusterUrlTargets } from './adapt.js';
import { mainContainer } from './container.js';
import { chartName, pickRelease, readHelmfile, RELEASE_PLACEHOLDER } from './helmfile.js';
import { normalizeImageName, pinnedRef, variantFor } from './images.js';
import { generatedLayer, getPath, isValuesMap, layerValues, nest, deepMerge, parseLayer, type Layer, type Values } from './layers.js';
import { fromListenerFile, fromServicesProxy, inferListenerPort, listenerNames, upstreamService, type ListenerDef } from './listeners.js';
import type { ImportOptions, ServiceImport } from './model.js';
import { helmData, renderChart } from './render-chart.js';
import { markerFor, secretName, secretPaths, type SecretSlot } from './secrets.js';
import { buildEntry } from './spec-build.js';

export interface ServiceContext {
  tree: TextTree;
  options: ImportOptions;
  /** True when `helmfile.d/services/<name>` exists and its chart is not external. */
  isLocal(name: string): Promise<boolean>;
  /** A local service's container port (`app.port` after layering). */
  appPortOf(name: string): Promise<number | undefined>;
}

export const servicesDir = (name: string) => `helmfile.d/services/${name}`;

async function readYaml(tree: TextTree, file: string): Promise<Values> {
  const text = await tree.read(file);
  if (text === undefined) return {};
  try {
    const value = parse(text, { merge: true }) as unknown;
    return isValuesMap(value) ? value : {};
  } catch {
    return {};
  }
}

export interface Layering {
  helmfile: ReturnType<typeof readHelmfile>;
  release: string;
  chart: string;
  namespace: string;
  layers: Layer[];
  chartYaml: Values;
}

/** R1 + R2: the release and the value layers (the private slot left empty: filled by the caller). */
export async function layering(tree: TextTree, name: string, options: ImportOptions, askedRelease: string | undefined): Promise<Layering> {
  const helmfilePath = `${servicesDir(name)}/helmfile.yaml`;
  const text = await tree.read(helmfilePath);
  if (text === undefined) {
    const known = (await tree.list('helmfile.d/services'))?.filter((n) => !n.startsWith('_') && !n.includes('.')) ?? [];
    throw new DevpipeError('spec', `no service "${name}" in ${tree.root}: ${helmfilePath} does not exist`, {
      hint: known.length > 0 ? `services of this checkout: ${known.join(', ')}` : '--charts must point at a deployment-charts checkout (with helmfile.d/services/)',
    });
  }
  const helmfile = readHelmfile(text, options.environment);
  if (!helmfile.releases || helmfile.releases.length === 0) {
    throw new DevpipeError('spec', `${helmfilePath}:${helmfile.environmentsLine}: environment "${options.environment}" is not declared (or lists no releases)`, {
      hint: `environments declared: ${helmfile.environments.join(', ') || 'none'}; this service is not deployed to ${options.environment}`,
    });
  }
  const release = pickRelease(helmfile.releases, askedRelease);
  if (!release) throw new DevpipeError('usage', `release "${askedRelease}" is not installed in ${options.environment} by ${helmfilePath}`, { hint: `releases: ${helmfile.releases.join(', ')}` });
  const chart = chartName(helmfile.chart ?? name);
  const namespace = helmfile.namespace ?? name;
  const chartDir = `charts/${chart}`;
  const layers: Layer[] = [parseLayer('chart defaults', `${chartDir}/values.yaml`, await tree.read(`${chartDir}/values.yaml`))];
  const entries = helmfile.values.length > 0 ? helmfile.values : ['general-', 'values.yaml', 'private/', `values-${options.environment}.yaml`, `values-${RELEASE_PLACEHOLDER}.yaml`];
  for (const entry of entries) {
    if (entry.includes('general-')) {
      const layer = parseLayer('general values (SRE defaults)', options.generalFile, await tree.read(options.generalFile));
      if (options.listeners) {
        const defs = fromListenerFile(parse(options.listeners.text) as unknown, options.listeners.file);
        layer.values = { ...layer.values, services_proxy: Object.fromEntries(defs.map((d) => [d.name, { port: d.port, upstream: { address: d.host }, ...(d.xfp ? { xfp: d.xfp } : {}), ...(d.httpHost ? { http_host: d.httpHost } : {}) }])) };
        layer.note = `services_proxy replaced by ${options.listeners.file}`;
      }
      layers.push(layer);
    } else if (entry.includes('private/')) {
      layers.push({ role: 'private values (secrets)', file: entry.replace(/^\/etc\/helmfile-defaults\//, '/etc/helmfile-defaults/'), status: 'skipped', note: 'SRE-only, not public: devpipe fills this slot with generated fakes', values: {}, lines: new Map() });
    } else {
      const file = `${servicesDir(name)}/${entry.replace(RELEASE_PLACEHOLDER, release)}`;
      const role = entry.includes(RELEASE_PLACEHOLDER) ? `release values (${release})` : entry === 'values.yaml' ? 'service values' : `environment values (${options.environment})`;
      layers.push(parseLayer(role, file, await tree.read(file)));
    }
  }
  const broken = layers.find((l) => 'error' in l && l.error);
  if (broken && 'error' in broken) throw new DevpipeError('spec', String(broken.error), { hint: 'fix the values file; devpipe reads it as Helm would' });
  return { helmfile, release, chart, namespace, layers, chartYaml: await readYaml(tree, `${chartDir}/Chart.yaml`) };
}

async function chartTemplates(tree: TextTree, dir: string): Promise<{ name: string; text: string }[]> {
  const out: { name: string; text: string }[] = [];
  const walk = async (rel: string) => {
    for (const entry of (await tree.list(`${dir}/${rel}`)) ?? []) {
      const path = `${rel}/${entry}`;
      const text = /\.(ya?ml|tpl|txt)$/.test(entry) ? await tree.read(`${dir}/${path}`) : undefined;
      if (text !== undefined) out.push({ name: path, text });
      else if (!entry.includes('.')) await walk(path);
    }
  };
  await walk('templates');
  return out;
}

/** R9: each listener the service declares → a forward to a stack service, or a stub. */
async function routeListeners(ctx: ServiceContext, name: string, values: Values, from: string): Promise<{ routes: { def: ListenerDef; to?: { service: string; port: number }; stub?: string; external?: string }[]; notes: string[]; warnings: string[] }> {
  const defs = new Map(fromServicesProxy(getPath(values, ['services_proxy']), ctx.options.listeners?.file ?? ctx.options.generalFile).map((d) => [d.name, d]));
  const routes: { def: ListenerDef; to?: { service: string; port: number }; stub?: string; external?: string }[] = [];
  const notes: string[] = [];
  const warnings: string[] = [];
  const ports = new Map<number, string>();
  for (const listener of listenerNames(values)) {
    let def = defs.get(listener);
    if (!def) {
      const inferred = inferListenerPort(listener, values);
      if (!inferred) {
        throw new DevpipeError('spec', `${from}: listener "${listener}" of ${name} is not defined in the listener definitions (${ctx.options.listeners?.file ?? `${ctx.options.generalFile} services_proxy`})`, {
          hint: 'staging would fail to render too ("Listener not found in the proxies"); pass a definitions file with --listeners, or remove the listener',
        });
      }
      def = { name: listener, port: inferred.port, from: `inferred from ${inferred.key}` };
      warnings.push(`listener "${listener}" has no definition: port ${inferred.port} inferred from ${inferred.key}`);
    }
    const clash = ports.get(def.port);
    if (clash) throw new DevpipeError('spec', `${from}: listeners "${clash}" and "${listener}" of ${name} both use port ${def.port}`, { hint: 'a pod can enable one listener per port (envoy cannot bind a port twice)' });
    ports.set(def.port, listener);
    let target: string | undefined;
    for (const candidate of upstreamService(def)) if (candidate !== name && (await ctx.isLocal(candidate))) target = target ?? candidate;
    const port = target ? await ctx.appPortOf(target) : undefined;
    if (target && port) {
      routes.push({ def, to: { service: target, port } });
      notes.push(`listener ${listener}: localhost:${def.port} → stack service ${target}:${port} (plain HTTP; staging: ${def.host ?? '?'} over TLS)`);
      continue;
    }
    const what = def.host ?? def.service ?? 'an upstream outside this checkout';
    const isMediaWiki = /^mw-api|mwapi|^api-/.test(listener) || /mw-api|mediawiki/.test(what);
    const external = ctx.options.routes === 'online' && isMediaWiki ? `https://${def.httpHost ?? 'meta.wikimedia.org'}` : undefined;
    const stub = external
      ? `documented external endpoint: ${external} (public MediaWiki; the caller's Host header is kept; the sidecar does not forward TLS, so calls get this note)`
      : `${what} is not in this checkout${isMediaWiki ? ' (MediaWiki and other external APIs are not reproduced)' : ''}`;
    routes.push({ def, stub, ...(external ? { external } : {}) });
    notes.push(`listener ${listener}: localhost:${def.port} → ${external ? `external ${external}` : 'stub'} (${what})`);
  }
  return { routes, notes, warnings };
}

export async function importService(ctx: ServiceContext, name: string, root: boolean): Promise<ServiceImport> {
  const { tree, options } = ctx;
  const l = await layering(tree, name, options, root ? options.release : undefined);
  const staged = layerValues(l.layers);
  const fixtures = await readYaml(tree, `${servicesDir(name)}/.fixtures.yaml`);
  const chartDefaults = l.layers[0]?.values ?? {};

  // The private slot: a marker per secret path, so rendering shows where each secret lands.
  const slots: SecretSlot[] = secretPaths(staged.values, fixtures).map((s, i) => ({ path: s.path, name: secretName(name, s.path), marker: markerFor(i), why: s.why }));
  let privateValues: Values = {};
  for (const slot of slots) privateValues = deepMerge(privateValues, nest(slot.path, slot.marker));
  const privateIndex = l.layers.findIndex((x) => x.role.startsWith('private'));
  const withPrivate = [...l.layers];
  withPrivate.splice(privateIndex < 0 ? withPrivate.length : privateIndex + 1, 0, generatedLayer('private values (generated fakes)', 'devpipe: generated fake secrets', privateValues));
  const layered = layerValues(withPrivate);

  const helmfilePath = `${servicesDir(name)}/values.yaml`;
  const listeners = await routeListeners(ctx, name, layered.values, helmfilePath);
  const local = new Map<string, number>();
  for (const ns of clusterUrlTargets(layered.values)) if (ns !== name && (await ctx.isLocal(ns))) local.set(ns, (await ctx.appPortOf(ns)) ?? 0);
  const adaptation = adapt({ values: layered.values, chartDefaults, localServices: local, stubPorts: new Set(listeners.routes.filter((r) => r.stub && !r.external).map((r) => r.def.port)) });
  const all = [...withPrivate, generatedLayer('devpipe local adaptations', 'devpipe (local adaptation)', adaptation.overlay)];
  const final = layerValues(all);

  const files = await chartTemplates(tree, `charts/${l.chart}`);
  const other = new Map<string, string>();
  for (const entry of (await tree.list(`charts/${l.chart}/config`)) ?? []) {
    const text = await tree.read(`charts/${l.chart}/config/${entry}`);
    if (text !== undefined) other.set(`config/${entry}`, text);
  }
  const rendered = renderChart({ templates: files, chartYaml: l.chartYaml, other }, helmData(final.values, l.chartYaml, l.release, l.namespace, other));
  const image = pinnedRef(final.values, chartDefaults);
  const container = mainContainer(rendered.manifests, image.name);
  const published = options.checkout?.published;
  const built = published !== undefined && normalizeImageName(image.name) === published.name;
  const variant = built ? variantFor(image.version, options.checkout?.pipelines) : undefined;
  return buildEntry({
    name,
    layering: l,
    values: final.values,
    stagingValues: layered.values,
    provenance: final.provenance,
    chartDefaults,
    image,
    built: variant ? { ...variant, from: published?.from ?? '' } : undefined,
    container,
    renderErrors: rendered.errors,
    slots,
    listeners,
    adaptation,
    options,
    rendered,
    templates: files,
  });
}
