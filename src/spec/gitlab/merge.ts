/**
 * GitLab's YAML reuse (kokkuri.md §2.3–§2.4): `!reference` resolved on the merged document first
 * (as GitLab's tag resolver does, before `extends`), then `extends` with GitLab's deep merge:
 * hashes merge key by key, everything else is replaced; later parents beat earlier ones; the job
 * beats all parents. Pure; problems are returned as messages with the key path they belong to.
 */
import { Reference } from './yaml.js';

export type Raw = Record<string, unknown>;

export function isMap(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Reference);
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = key in base ? deepMerge(base[key], value) : value;
  return out;
}

export interface MergeProblem {
  /** Top-level key (job) and the path below it. */
  path: (string | number)[];
  message: string;
  hint?: string | undefined;
  /** Where a `!reference` was written, when the problem is one. */
  at?: { file: string; line: number; col: number } | undefined;
}

const maxReferenceDepth = 10;

/** Replaces every `!reference` in the document; a reference that is a list item and yields a list is spliced in. */
export function resolveReferences(doc: Raw, problems: MergeProblem[]): Raw {
  const lookup = (ref: Reference, depth: number, path: (string | number)[]): unknown => {
    if (depth > maxReferenceDepth) {
      problems.push({ path, message: `${ref} nests more than ${maxReferenceDepth} levels (or refers to itself)`, at: ref });
      return null;
    }
    let value: unknown = doc;
    for (const key of ref.path) {
      if (!isMap(value) || !(key in value)) {
        problems.push({ path, message: `${ref}: \`${ref.path.slice(0, ref.path.indexOf(key) + 1).join('.')}\` does not exist`, hint: 'a reference names a job (often hidden) and keys inside it', at: ref });
        return null;
      }
      value = value[key];
    }
    return walk(value, depth + 1, path);
  };
  const walk = (value: unknown, depth: number, path: (string | number)[]): unknown => {
    if (value instanceof Reference) return lookup(value, depth, path);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((item, i) => {
        if (item instanceof Reference) {
          const resolved = lookup(item, depth, [...path, i]);
          if (Array.isArray(resolved)) out.push(...resolved);
          else if (resolved !== null) out.push(resolved);
        } else out.push(walk(item, depth, [...path, i]));
      });
      return out;
    }
    if (isMap(value)) {
      const out: Raw = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, depth, [...path, k]);
      return out;
    }
    return value;
  };
  return walk(doc, 0, []) as Raw;
}

export interface ExtendsResult {
  merged: Raw;
  /** Every hidden job merged in (depth-first, in merge order). */
  chain: string[];
  /** Names extended that are not defined (to be judged by the caller). */
  missing: string[];
}

const maxExtendsDepth = 11;

function extendsList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

/** The job with every `extends` parent merged under it. */
export function resolveExtends(name: string, doc: Raw, problems: MergeProblem[], trail: string[] = []): ExtendsResult {
  const job = doc[name];
  if (!isMap(job)) return { merged: {}, chain: [], missing: [] };
  if (trail.includes(name)) {
    problems.push({ path: [trail[0]!, 'extends'], message: `extends forms a cycle: ${[...trail, name].join(' → ')}` });
    return { merged: {}, chain: [], missing: [] };
  }
  if (trail.length >= maxExtendsDepth) {
    problems.push({ path: [trail[0]!, 'extends'], message: `extends nests more than ${maxExtendsDepth} levels: ${[...trail, name].join(' → ')}` });
    return { merged: {}, chain: [], missing: [] };
  }
  const parents = extendsList(job.extends);
  if (parents === undefined) {
    problems.push({ path: [name, 'extends'], message: 'extends must be a job name or a list of job names' });
    return { merged: job, chain: [], missing: [] };
  }
  let merged: unknown = {};
  const chain: string[] = [];
  const missing: string[] = [];
  for (const parent of parents) {
    if (!isMap(doc[parent])) {
      missing.push(parent);
      continue;
    }
    const resolved = resolveExtends(parent, doc, problems, [...trail, name]);
    merged = deepMerge(merged, resolved.merged);
    chain.push(...resolved.chain, parent);
    missing.push(...resolved.missing);
  }
  const { extends: _extends, ...own } = job;
  return { merged: deepMerge(merged, own) as Raw, chain, missing };
}
