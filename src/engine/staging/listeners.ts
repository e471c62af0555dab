/**
 * Mesh listeners (R9): the definitions (a `services_proxy` map from the general values, or
 * puppet's `profile::services_proxy::envoy::listeners` list), the lookup of each name a service
 * lists in `discovery.listeners`, and the inference of an undefined listener's port from a
 * `localhost:<port>` value. Pure.
 */
import { getPath, isValuesMap, type Values } from './layers.js';

export interface ListenerDef {
  name: string;
  port: number;
  /** Upstream host (`zotero.discovery.wmnet`). */
  host?: string | undefined;
  /** puppet's `service:` (the service::catalog name). */
  service?: string | undefined;
  xfp?: string | undefined;
  httpHost?: string | undefined;
  /** Where it was defined (file), for comments. */
  from: string;
}

/** From a `services_proxy` map. */
export function fromServicesProxy(map: unknown, from: string): ListenerDef[] {
  if (!isValuesMap(map)) return [];
  return Object.entries(map).flatMap(([name, def]) => {
    if (!isValuesMap(def) || typeof def.port !== 'number') return [];
    const upstream = isValuesMap(def.upstream) ? def.upstream : {};
    return [{ name, port: def.port, host: typeof upstream.address === 'string' ? upstream.address : undefined, xfp: typeof def.xfp === 'string' ? def.xfp : undefined, httpHost: typeof def.http_host === 'string' ? def.http_host : undefined, from }];
  });
}

/** From puppet hieradata (`profile::services_proxy::envoy::listeners: [{name, port, service, upstream}]`) or a services_proxy map. */
export function fromListenerFile(doc: unknown, from: string): ListenerDef[] {
  if (!isValuesMap(doc)) return [];
  if (isValuesMap(doc.services_proxy)) return fromServicesProxy(doc.services_proxy, from);
  const list = doc['profile::services_proxy::envoy::listeners'];
  if (!Array.isArray(list)) return fromServicesProxy(doc, from);
  return list.flatMap((item: unknown) => {
    if (!isValuesMap(item) || typeof item.name !== 'string' || typeof item.port !== 'number') return [];
    const service = typeof item.service === 'string' ? item.service : undefined;
    const host = typeof item.upstream === 'string' ? item.upstream : service ? `${service}.discovery.wmnet` : undefined;
    return [{ name: item.name, port: item.port, host, service, xfp: typeof item.xfp === 'string' ? item.xfp : undefined, httpHost: typeof item.http_host === 'string' ? item.http_host : undefined, from }];
  });
}

/** Every string leaf with its key path. */
export function leaves(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (isValuesMap(value)) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [{ path, value }];
}

/**
 * An undefined listener: the one value whose key contains the name (dashes read as underscores)
 * and holds `localhost:<P>` or `127.0.0.1:<P>` gives the port.
 */
export function inferListenerPort(name: string, values: Values): { port: number; key: string } | undefined {
  const needle = name.replaceAll('-', '_').toLowerCase();
  const hits = leaves(values).flatMap(({ path, value }) => {
    const key = path.filter((p) => typeof p === 'string').join('.').toLowerCase();
    if (!key.includes(needle) || typeof value !== 'string') return [];
    const m = /(?:localhost|127\.0\.0\.1):(\d{2,5})/.exec(value);
    return m ? [{ port: Number(m[1]), key: path.join('.') }] : [];
  });
  const ports = new Set(hits.map((h) => h.port));
  return ports.size === 1 ? hits[0] : undefined;
}

/** The stack service a listener reaches: `<X>.discovery.wmnet`, `<X>-ro.discovery.wmnet`, or puppet's `service: X`. */
export function upstreamService(def: ListenerDef): string[] {
  const out: string[] = [];
  const m = def.host ? /^([a-z0-9-]+?)(-ro)?\.discovery\.wmnet$/.exec(def.host) : undefined;
  if (m?.[1]) out.push(m[1]);
  if (def.service) out.push(def.service);
  if (m?.[1] && m[2]) out.push(`${m[1]}-ro`);
  return [...new Set(out)];
}

export function listenerNames(values: Values): string[] {
  const list = getPath(values, ['discovery', 'listeners']);
  return Array.isArray(list) ? list.map(String) : [];
}
