/**
 * devpipe's local adaptations, applied as one generated values layer over staging's (R10–R14,
 * R17): in-cluster URLs to stack services, egress proxies removed, datastores to local stand-ins
 * without TLS, internal hosts to public chart defaults, eventgate's stream config to file mode
 * when MediaWiki is a stub, and the mesh off (its listeners are served by the sidecar). Every
 * change is a note. Pure.
 */
import { getPath, isValuesMap, pathKey, type Values } from './layers.js';
import { leaves } from './listeners.js';

export interface Adaptation {
  /** Values layered last (null deletes). */
  overlay: Values;
  notes: string[];
  /** Key path → why devpipe changed it (comments). */
  changed: Map<string, string>;
  /** Local stand-ins needed: `kafka`, `cassandra`, `mariadb`. */
  datastores: Set<string>;
  /** Stack services reached by a rewritten in-cluster URL. */
  services: Set<string>;
}

const CLUSTER_URL = /^(https?):\/\/(?:[a-z0-9-]+-tls-service\.([a-z0-9-]+)\.svc\.cluster\.local|([a-z0-9-]+)\.discovery\.wmnet):(\d+)(\/.*)?$/;

/** Namespaces named by in-cluster (or discovery) URLs among the values: candidates to join the stack. */
export function clusterUrlTargets(values: Values): string[] {
  const out = new Set<string>();
  for (const { value } of leaves(values)) {
    const m = typeof value === 'string' ? CLUSTER_URL.exec(value) : undefined;
    if (m) out.add(m[2] ?? m[3] ?? '');
  }
  out.delete('');
  return [...out];
}

function setIn(target: Values, path: readonly (string | number)[], value: unknown): void {
  let cur: Values = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) cur[String(key)] = value;
    else {
      const next = cur[String(key)];
      cur = isValuesMap(next) ? next : (cur[String(key)] = {});
    }
  });
}

export interface AdaptInput {
  values: Values;
  chartDefaults: Values;
  /** Stack services found in the checkout: namespace → container port. */
  localServices: ReadonlyMap<string, number>;
  /** Listener ports served by stubs (MediaWiki etc.). */
  stubPorts: ReadonlySet<number>;
}

export function adapt(input: AdaptInput): Adaptation {
  const out: Adaptation = { overlay: {}, notes: [], changed: new Map(), datastores: new Set(), services: new Set() };
  const { values } = input;
  const set = (path: (string | number)[], value: unknown, why: string) => {
    // A list element changes its whole list (helm replaces lists).
    const listAt = path.findIndex((p) => typeof p === 'number');
    if (listAt >= 0) {
      const listPath = path.slice(0, listAt);
      const list = structuredClone(getPath({ ...values, ...out.overlay }, listPath) ?? getPath(values, listPath)) as unknown[];
      const copy = structuredClone(list);
      let cur: unknown = copy;
      for (const key of path.slice(listAt, -1)) cur = (cur as Record<string | number, unknown>)[key as never];
      (cur as Record<string | number, unknown>)[path[path.length - 1] as never] = value;
      setIn(out.overlay, listPath, copy);
    } else setIn(out.overlay, path, value);
    out.changed.set(pathKey(path), why);
  };

  if (getPath(values, ['mesh', 'enabled']) === true) set(['mesh', 'enabled'], false, 'devpipe: the envoy mesh is not reproduced; its listeners are served by the sidecar');

  // R14: egress proxies (url-downloader) are not reachable here: direct egress.
  if (getPath(values, ['main_app', 'proxy'])) {
    set(['main_app', 'proxy'], null, 'devpipe: egress proxy removed (direct egress)');
    out.notes.push(`main_app.proxy (${String(getPath(values, ['main_app', 'proxy']))}) removed: the url-downloader egress proxy is not reachable locally; direct egress instead`);
  }
  for (const key of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) {
    if (getPath(values, ['config', 'public', key]) !== undefined) {
      set(['config', 'public', key], null, 'devpipe: egress proxy removed');
      out.notes.push(`config.public.${key} removed: the url-downloader egress proxy is not reachable locally (NO_PROXY is kept, harmless)`);
    }
  }

  for (const { path, value } of leaves(values)) {
    const key = String(path[path.length - 1]);
    const parent = path.slice(0, -1);
    const dotted = path.join('.');
    if (typeof value !== 'string' && !Array.isArray(value)) {
      if (key === 'DB_PORT' && getPath(values, [...parent, 'DB_HOST']) !== undefined) set(path, '3306', 'devpipe: local mariadb');
      continue;
    }
    // R10: in-cluster URLs → the stack service.
    const m = typeof value === 'string' ? CLUSTER_URL.exec(value) : undefined;
    const ns = m ? (m[2] ?? m[3]) : undefined;
    if (m && ns && input.localServices.has(ns)) {
      const url = `http://${ns}:${input.localServices.get(ns)}${m[5] ?? ''}`;
      set(path, url, `devpipe: in-cluster URL ${value} → the stack service ${ns}`);
      out.services.add(ns);
      out.notes.push(`${dotted}: ${value} → ${url} (stack service ${ns}, plain HTTP)`);
      continue;
    }
    // R12: Kafka.
    if (key === 'metadata.broker.list') {
      set(path, 'kafka:9092', 'devpipe: local Kafka stand-in, no TLS');
      out.datastores.add('kafka');
      out.notes.push(`${dotted}: Kafka brokers ${String(value)} → kafka:9092 (local stand-in, plaintext)`);
      const conf = getPath(values, parent);
      if (isValuesMap(conf)) {
        for (const sibling of Object.keys(conf)) {
          if (sibling === 'security.protocol') set([...parent, sibling], 'plaintext', 'devpipe: TLS off locally');
          else if (sibling.startsWith('ssl.')) set([...parent, sibling], null, 'devpipe: TLS off locally');
        }
      }
      continue;
    }
    if (key === 'DB_HOST') {
      set(path, 'mariadb', `devpipe: local MariaDB stand-in (staging: ${String(value)})`);
      out.datastores.add('mariadb');
      out.notes.push(`${dotted}: ${String(value)} → mariadb (local stand-in; staging points at a production database)`);
      if (getPath(values, [...parent, 'DB_PORT']) === undefined) set([...parent, 'DB_PORT'], '3306', 'devpipe: local mariadb');
      continue;
    }
    // R11: other internal hosts: the chart's public default when there is one.
    if (typeof value === 'string' && /^https?:\/\/[^/]*\.wmnet[:/]/.test(value) && !dotted.startsWith('services_proxy')) {
      const fallback = getPath(input.chartDefaults, path);
      if (typeof fallback === 'string' && /^https:\/\/[^/]+\.(org|com|net)\//.test(fallback) && !fallback.includes('.wmnet')) {
        set(path, fallback, `devpipe: internal host not reachable; the chart's public default`);
        out.notes.push(`${dotted}: ${value} is internal → the chart default ${fallback}`);
      } else out.notes.push(`${dotted}: ${value} is an internal host, not reachable locally (kept as is)`);
    }
  }

  // R12: Cassandra clients.
  for (const base of [['datastore', 'cassandra_client'], ['main_app', 'cassandra']]) {
    const client = getPath(values, base);
    if (!isValuesMap(client) || client.enabled === false || (!('hosts' in client) && base[0] === 'datastore')) continue;
    set([...base, 'hosts'], ['cassandra'], 'devpipe: local Cassandra stand-in');
    if ('tls' in client) set([...base, 'tls'], null, 'devpipe: TLS off locally');
    if ('local_dc' in client) set([...base, 'local_dc'], 'datacenter1', "devpipe: the stand-in's data centre");
    out.datastores.add('cassandra');
    const keyspace = client.keyspace ?? 'default';
    out.notes.push(`${base.join('.')}: Cassandra ${Array.isArray(client.hosts) ? `${client.hosts.length} host(s)` : '(chart default hosts)'} → cassandra (local stand-in, TLS off, local_dc datacenter1; keyspace ${String(keyspace)}${client.table ? `, table ${String(client.table)}` : ''})`);
  }

  // R17 eventgate: stream config from MediaWiki cannot be fetched when MediaWiki is a stub.
  const streamUri = getPath(values, ['main_app', 'conf', 'stream_config_uri']);
  const stubbed = typeof streamUri === 'string' ? /^https?:\/\/(?:127\.0\.0\.1|localhost):(\d+)/.exec(streamUri) : undefined;
  if (stubbed && input.stubPorts.has(Number(stubbed[1]))) {
    const local = getPath(input.chartDefaults, ['main_app', 'conf', 'stream_config_uri']);
    const file = typeof local === 'string' && local.startsWith('/') ? local : '/etc/eventgate/stream-config.yaml';
    set(['main_app', 'conf', 'stream_config_uri'], file, 'devpipe: stream config from a local file (MediaWiki is a stub)');
    if (getPath(values, ['main_app', 'conf', 'stream_config_uri_options']) !== undefined) set(['main_app', 'conf', 'stream_config_uri_options'], null, 'devpipe: no remote stream config');
    out.notes.push(`main_app.conf.stream_config_uri: ${streamUri} (MediaWiki, a stub here) → ${file}, rendered by the chart's stream.config template (test and error streams included)`);
  }
  return out;
}
