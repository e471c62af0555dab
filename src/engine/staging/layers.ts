/**
 * Helm's values layering with provenance: each layer is a YAML file read with positions; maps
 * merge key by key, lists and scalars replace, an explicit null deletes the key. For every key
 * path the file:line that set it is kept (shown as comments in the generated devpipe.yaml and by
 * the layering report). Pure.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';

export type Values = Record<string, unknown>;

export interface Layer {
  /** What the layer is (`chart defaults`, `general values`, `values.yaml`, …). */
  role: string;
  /** The file as shown (relative to the charts checkout), or a description for generated layers. */
  file: string;
  status: 'read' | 'missing' | 'skipped' | 'generated';
  note?: string | undefined;
  values: Values;
  /** Key path (dots) → line. */
  lines: Map<string, number>;
}

export const pathKey = (path: readonly (string | number)[]): string => path.join('.');

function walkLines(node: YamlNode | null | undefined, path: (string | number)[], counter: LineCounter, out: Map<string, number>): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const here = [...path, key];
      const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      if (offset !== undefined) out.set(pathKey(here), counter.linePos(offset).line);
      walkLines(pair.value as YamlNode, here, counter, out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const offset = (item as YamlNode).range?.[0];
      if (offset !== undefined) out.set(pathKey([...path, index]), counter.linePos(offset).line);
      walkLines(item as YamlNode, [...path, index], counter, out);
    });
  }
}

/** Parses one values file; `error` when it is not YAML or not a mapping. */
export function parseLayer(role: string, file: string, text: string | undefined): Layer & { error?: string } {
  if (text === undefined) return { role, file, status: 'missing', values: {}, lines: new Map() };
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, merge: true, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0]?.line;
    return { role, file, status: 'read', values: {}, lines: new Map(), error: `${file}${line ? `:${line}` : ''}: ${first?.message.split('\n')[0] ?? 'invalid YAML'}` };
  }
  const value = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    return { role, file, status: 'read', values: {}, lines: new Map(), error: `${file}: expected a mapping of values` };
  }
  const lines = new Map<string, number>();
  walkLines(doc.contents as YamlNode, [], counter, lines);
  return { role, file, status: 'read', values: (value ?? {}) as Values, lines };
}

export function isValuesMap(v: unknown): v is Values {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where each effective key came from: `file:line`. */
export type Provenance = Map<string, string>;

function mergeInto(dst: Values, src: Values, path: string[], layer: Layer, prov: Provenance): void {
  for (const [key, value] of Object.entries(src)) {
    const here = [...path, key];
    const where = `${layer.file}${layer.lines.has(pathKey(here)) ? `:${layer.lines.get(pathKey(here))}` : ''}`;
    if (value === null) {
      delete dst[key];
      for (const k of [...prov.keys()]) if (k === pathKey(here) || k.startsWith(`${pathKey(here)}.`)) prov.delete(k);
      prov.set(pathKey(here), `${where} (null: deleted)`);
      continue;
    }
    if (isValuesMap(value) && isValuesMap(dst[key])) {
      mergeInto(dst[key], value, here, layer, prov);
      continue;
    }
    dst[key] = structuredClone(value);
    for (const k of [...prov.keys()]) if (k.startsWith(`${pathKey(here)}.`)) prov.delete(k);
    prov.set(pathKey(here), where);
    if (isValuesMap(value) || Array.isArray(value)) recordLeaves(value, here, layer, prov);
  }
}

function recordLeaves(value: unknown, path: (string | number)[], layer: Layer, prov: Provenance): void {
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : isValuesMap(value) ? Object.entries(value) : [];
  for (const [key, child] of entries) {
    const here = [...path, key];
    const line = layer.lines.get(pathKey(here));
    prov.set(pathKey(here), `${layer.file}${line ? `:${line}` : ''}`);
    recordLeaves(child, here, layer, prov);
  }
}

/** Merges the layers in order (lowest first). */
export function layerValues(layers: readonly Layer[]): { values: Values; provenance: Provenance } {
  const values: Values = {};
  const provenance: Provenance = new Map();
  for (const layer of layers) if (layer.status === 'read' || layer.status === 'generated') mergeInto(values, layer.values, [], layer, provenance);
  return { values, provenance };
}

/** The file:line that set a key (or its nearest ancestor that was set whole). */
export function whereSet(provenance: Provenance, path: readonly (string | number)[]): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const hit = provenance.get(pathKey(path.slice(0, n)));
    if (hit) return hit;
  }
  return undefined;
}

export function getPath(values: unknown, path: readonly (string | number)[]): unknown {
  let cur = values;
  for (const key of path) {
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isValuesMap(cur)) cur = cur[String(key)];
    else return undefined;
  }
  return cur;
}

/** A generated layer (fakes in the private slot, devpipe's local adaptations). */
export function generatedLayer(role: string, file: string, values: Values): Layer {
  return { role, file, status: 'generated', values, lines: new Map() };
}

/** `{a: {b: 1}}` from a dotted path and a value. */
export function nest(path: readonly (string | number)[], value: unknown): Values {
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [String(path[i])]: out };
  return out as Values;
}

export function deepMerge(a: Values, b: Values): Values {
  const out: Values = structuredClone(a);
  for (const [k, v] of Object.entries(b)) out[k] = isValuesMap(v) && isValuesMap(out[k]) ? deepMerge(out[k], v) : structuredClone(v);
  return out;
}
