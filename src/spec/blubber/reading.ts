/**
 * Blubber's exact reading of a document before its struct validation (config/reader.go):
 *
 * 1. Nulls. The raw document is validated against Blubber's JSON schema (api/config.schema.json),
 *    which allows null only for `base` and an artifact's `from` (`type: [string, null]`) and, as
 *    open maps, for the values of `arguments` and `runs.environment`. Go then decodes a null as
 *    the zero value: `base: ~` is unset (scratch), `from: ~` is "" (then "from is required"), an
 *    environment or argument value is "". Every other null (`runs:`, `copies:`, a variant `app:`
 *    with nothing under it) fails the schema: we leave it for the zod schema to refuse, located,
 *    and `nullHint` says how to write it.
 * 2. Entries decoded by a custom UnmarshalJSON with plain `json.Unmarshal` (copies, requirements,
 *    mounts, caches, apt.proxies) do not inherit the strict decoder: unknown keys there are
 *    ignored by Blubber. We warn (with a typo suggestion) instead of refusing.
 * 3. `copies` is decoded as all strings, else all objects (config/copies.go): a mixed list fails.
 *    requirements, mounts and caches go through `unmarshalShorthand`, which accepts mixed lists.
 */
import { nearest, type KeyPath, type SpecIssue } from '../issues.js';
import type { IssueSink } from './rules.js';

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const artifactKeys = ['from', 'source', 'destination', 'exclude'];
const mountKeys = ['from', 'source', 'destination'];
const cacheKeys = ['destination', 'id', 'access'];
const proxyKeys = ['url', 'source'];

/** Applies the nulls Blubber's schema allows (see 1.); every other null is left for the schema. */
export function blubberNulls(value: unknown, path: KeyPath, sink: IssueSink): unknown {
  if (Array.isArray(value)) return value.map((item, i) => blubberNulls(item, [...path, i], sink));
  if (!isObject(value)) return value;
  const parent = path[path.length - 1];
  const stringMap = (parent === 'environment' && path[path.length - 2] === 'runs') || (parent === 'arguments' && isCommonPath(path.slice(0, -1)));
  const artifact = typeof parent === 'number' && (path[path.length - 2] === 'copies' || path[path.length - 2] === 'requirements');
  const out: Raw = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null && stringMap) {
      out[key] = '';
      sink.warning([...path, key], 'is null and is read as an empty string', 'write `""` to say so, or remove the key');
    } else if (item === null && ((key === 'base' && isCommonPath(path)) || (key === 'from' && artifact))) {
      continue;
    } else {
      out[key] = blubberNulls(item, [...path, key], sink);
    }
  }
  return out;
}

/** The root (`[]`) or a variant (`['variants', name]`): where common keys live. */
function isCommonPath(path: KeyPath): boolean {
  return path.length === 0 || (path.length === 2 && path[0] === 'variants');
}

/** The hint for a schema error on a null value: Blubber's schema refuses it here. */
export function nullHint(issue: SpecIssue): SpecIssue {
  if (!/, got null$/.test(issue.message)) return issue;
  const empty = issue.message.startsWith('expected a mapping') ? '`{}`' : issue.message.startsWith('expected a list') ? '`[]`' : undefined;
  const write = empty ? `, or write ${empty} for an empty one` : '';
  return {
    ...issue,
    message: `${issue.message} (a key with nothing after it is YAML null, and Blubber's schema refuses null here)`,
    hint: `remove the key${write}`,
  };
}

function warnUnknownKeys(entry: unknown, allowed: readonly string[], at: KeyPath, what: string, sink: IssueSink): void {
  if (!isObject(entry)) return;
  for (const key of Object.keys(entry)) {
    if (allowed.includes(key)) continue;
    const guess = nearest(key, allowed);
    sink.warning([...at, key], `unknown key "${key}" in ${what} is ignored by Blubber`, guess ? `did you mean "${guess}"?` : `keys here: ${allowed.join(', ')}`, { atKey: true });
  }
}

function entries(list: unknown, at: KeyPath, allowed: readonly string[], what: string, sink: IssueSink): void {
  if (!Array.isArray(list)) return;
  list.forEach((entry, i) => warnUnknownKeys(entry, allowed, [...at, i], what, sink));
}

function builderLists(builder: unknown, at: KeyPath, sink: IssueSink): void {
  if (!isObject(builder)) return;
  entries(builder.requirements, [...at, 'requirements'], artifactKeys, 'a requirements entry', sink);
  entries(builder.mounts, [...at, 'mounts'], mountKeys, 'a mounts entry', sink);
  entries(builder.caches, [...at, 'caches'], cacheKeys, 'a caches entry', sink);
}

function checkCommon(common: Raw, at: KeyPath, sink: IssueSink): void {
  for (const key of ['node', 'python', 'php', 'builder']) builderLists(common[key], [...at, key], sink);
  if (Array.isArray(common.builders)) {
    common.builders.forEach((entry, i) => {
      if (!isObject(entry)) return;
      for (const [kind, builder] of Object.entries(entry)) builderLists(builder, [...at, 'builders', i, kind], sink);
    });
  }
  if (isObject(common.apt)) entries(common.apt.proxies, [...at, 'apt', 'proxies'], proxyKeys, 'an apt.proxies entry', sink);
}

function checkCopies(copies: unknown, at: KeyPath, sink: IssueSink): void {
  if (!Array.isArray(copies)) return;
  const names = copies.filter((c) => typeof c === 'string').length;
  const objects = copies.filter(isObject).length;
  if (names > 0 && objects > 0) {
    const first = copies.findIndex((c) => typeof c === 'string');
    const name = String(copies[first]);
    sink.error(at, `mixes variant names and {from: …} entries; Blubber reads \`copies\` as all names or all entries ("json: cannot unmarshal string into Go value of type config.ArtifactsConfig")`, `write the name as an entry: \`- from: ${name}\` (requirements may mix the two forms; copies may not)`);
  }
  entries(copies, at, artifactKeys, 'a copies entry', sink);
}

/** Warnings for ignored keys and errors for mixed copies, over the raw document. */
export function checkEntries(raw: Raw, sink: IssueSink): void {
  checkCommon(raw, [], sink);
  if (!isObject(raw.variants)) return;
  for (const [name, variant] of Object.entries(raw.variants)) {
    if (!isObject(variant)) continue;
    checkCommon(variant, ['variants', name], sink);
    checkCopies(variant.copies, ['variants', name, 'copies'], sink);
  }
}
