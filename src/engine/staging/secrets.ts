/**
 * Secrets of an imported service (R13, §1.7): which values are private (`config.private.*`, keys
 * named like passwords, placeholders such as `snakeoil`, the service's `.fixtures.yaml`), a
 * marker for each in the private slot, and where each marker ends up after rendering (an env var,
 * or a key inside a config file). Fake values are generated per key elsewhere. Pure.
 */
import { parseDocument, isMap, isSeq, isScalar, type Node as YamlNode } from 'yaml';
import { getPath, isValuesMap, type Values } from './layers.js';
import { leaves } from './listeners.js';

const PLACEHOLDERS = new Set(['snakeoil', 'foobarbaz', 'changeme', 'secret']);
const SECRET_KEY = /(^|_)(password|passwd|secret|token|api_?key)$/i;

export interface SecretSlot {
  /** Values path of the secret. */
  path: string[];
  /** The declared secret's name in devpipe.yaml. */
  name: string;
  /** The unique marker rendered in its place. */
  marker: string;
  why: string;
}

/** Values paths that hold secrets. `mesh.certs` is cert-manager's business: never a secret here. */
export function secretPaths(values: Values, fixtures: Values): { path: string[]; why: string }[] {
  const out = new Map<string, { path: string[]; why: string }>();
  const add = (path: (string | number)[], why: string) => {
    if (path.some((p) => typeof p === 'number')) return;
    const key = path.join('.');
    if (key.startsWith('mesh.') || key.startsWith('services_proxy.')) return;
    if (!out.has(key)) out.set(key, { path: path.map(String), why });
  };
  for (const { path, value } of leaves(values)) {
    if (path[0] === 'config' && path[1] === 'private' && path.length === 3) add(path, 'config.private (the private slot)');
    else if (SECRET_KEY.test(String(path[path.length - 1]))) add(path, `key named like a secret (chart value ${JSON.stringify(value)})`);
    else if (typeof value === 'string' && PLACEHOLDERS.has(value)) add(path, `placeholder ${JSON.stringify(value)}`);
  }
  for (const { path } of leaves(fixtures)) if (typeof getPath(fixtures, path) === 'string' && path.length > 1 && !['kafka_brokers'].includes(String(path[0]))) add(path, "the service's .fixtures.yaml (CI stand-in for private values)");
  const private_ = getPath(values, ['config', 'private']);
  if (isValuesMap(private_)) for (const key of Object.keys(private_)) add(['config', 'private', key], 'config.private (the private slot)');
  return [...out.values()];
}

export function secretName(service: string, path: readonly string[]): string {
  return `${service}.${path.join('.')}`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** String leaves of a YAML text equal to a marker, with their key path (dots). */
export function markersInYaml(text: string, markers: ReadonlyMap<string, SecretSlot>): { keyPath: string; slot: SecretSlot }[] | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0 || !(isMap(doc.contents) || isSeq(doc.contents))) return undefined;
  const out: { keyPath: string; slot: SecretSlot }[] = [];
  const walk = (node: YamlNode | null | undefined, path: (string | number)[]) => {
    if (isMap(node)) for (const pair of node.items) walk(pair.value as YamlNode, [...path, isScalar(pair.key) ? String(pair.key.value) : String(pair.key)]);
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item as YamlNode, [...path, i]));
    else if (isScalar(node) && typeof node.value === 'string' && markers.has(node.value)) out.push({ keyPath: path.join('.'), slot: markers.get(node.value) as SecretSlot });
  };
  walk(doc.contents as YamlNode, []);
  return out;
}

/** The marker for a secret: unique, never a plausible real value. */
export function markerFor(index: number): string {
  return `devpipe-secret-marker-${index}-5f3a9c`;
}
