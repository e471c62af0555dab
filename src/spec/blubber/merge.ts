/**
 * Field-by-field merge of Blubber configs (root → includes → variant), with every quirk of
 * Blubber's `Merge` methods (docs/blubber.md, "Merge semantics"):
 *
 * - scalars: a later non-empty string / non-zero number wins, so `base: ~` or `uid: 0` in a
 *   variant never clears an inherited value (at the root, explicit values apply over defaults);
 * - booleans are tri-state: only an explicitly set value overrides (`false` can undo `true`);
 * - `requirements`, `mounts`, `caches`, `command`, `script`, `entrypoint`: replaced when set;
 * - `arguments`, `runs.environment`: map merge, later keys win;
 * - `apt.packages`: appended per release (duplicates kept); `apt.sources`/`proxies` appended;
 * - `builders`: node/python/php entries on both sides merge into the later position; earlier-only
 *   entries (and all custom ones) go first; custom builders accumulate;
 * - `copies`: concatenated; an earlier entry equal to a later one is dropped.
 */
import { artifactKey } from './rules.js';
import {
  builderKindOf,
  type Apt,
  type AptProxy,
  type AptSource,
  type Artifact,
  type BuildersEntry,
  type Common,
  type CustomBuilder,
  type NodeBuilder,
  type PhpBuilder,
  type PythonBuilder,
  type Variant,
} from './schema.js';

/** A variant after includes are merged: every field defaulted and normalized. */
export interface ExpandedVariant {
  name: string;
  /** The base image; undefined means `FROM scratch`. */
  base: string | undefined;
  arguments: Record<string, string>;
  apt: { packages: Record<string, string[]>; sources: AptSource[]; proxies: AptProxy[] };
  node: NodeBuilder | undefined;
  python: PythonBuilder | undefined;
  php: PhpBuilder | undefined;
  builder: CustomBuilder | undefined;
  builders: BuildersEntry[] | undefined;
  lives: { in: string; as: string; uid: number; gid: number };
  runs: { in: string | undefined; as: string; uid: number; gid: number; environment: Record<string, string>; insecurely: boolean };
  entrypoint: string[] | undefined;
  copies: Artifact[];
  /** The include merge order (depth first), without the variant itself. */
  includes: string[];
}

/** The mutable accumulator of a merge. */
export type MergeState = Omit<ExpandedVariant, 'name' | 'includes'>;

/** Blubber's built-in defaults (config/reader.go). */
export function defaultState(): MergeState {
  return {
    base: undefined,
    arguments: {},
    apt: { packages: {}, sources: [], proxies: [] },
    node: undefined,
    python: undefined,
    php: undefined,
    builder: undefined,
    builders: undefined,
    lives: { in: '/srv/app', as: 'somebody', uid: 65533, gid: 65533 },
    runs: { in: undefined, as: 'runuser', uid: 900, gid: 900, environment: {}, insecurely: false },
    entrypoint: undefined,
    copies: [],
  };
}

/** Normalizes `apt.packages` (a list means the `default` release). */
export function packagesByRelease(packages: Apt['packages']): Record<string, string[]> {
  if (packages === undefined) return {};
  return Array.isArray(packages) ? { default: packages } : packages;
}

type Struct = Record<string, unknown>;

/** Merges builder-like structs: arrays replace, strings/numbers non-empty win, booleans tri-state. */
export function mergeStruct<T extends object>(earlier: T | undefined, later: T | undefined): T | undefined {
  if (later === undefined) return earlier;
  if (earlier === undefined) return later;
  const out: Struct = { ...(earlier as Struct) };
  for (const [key, value] of Object.entries(later as Struct)) {
    if (value === undefined) continue;
    const previous = out[key];
    if (Array.isArray(value) || typeof value === 'boolean') out[key] = value;
    else if (typeof value === 'string' || typeof value === 'number') {
      if (value !== '' && value !== 0) out[key] = value;
    } else if (typeof value === 'object' && value !== null) {
      out[key] = mergeStruct(previous as Struct | undefined, value as Struct);
    }
  }
  return out as T;
}

/** Merges `builders` lists (see the file comment). */
export function mergeBuilders(earlier: BuildersEntry[] | undefined, later: BuildersEntry[] | undefined): BuildersEntry[] | undefined {
  if (later === undefined) return earlier;
  if (earlier === undefined) return later;
  const laterKinds = new Set(later.map(builderKindOf).filter((kind) => kind !== 'custom'));
  const first = earlier.filter((entry) => {
    const kind = builderKindOf(entry);
    return kind === 'custom' || !laterKinds.has(kind);
  });
  const rest = later.map((entry): BuildersEntry => {
    const kind = builderKindOf(entry);
    if (kind === 'custom') return entry;
    const previous = earlier.find((e) => builderKindOf(e) === kind);
    if (!previous) return entry;
    return { [kind]: mergeStruct(previous[kind] as Struct, entry[kind] as Struct) } as BuildersEntry;
  });
  return [...first, ...rest];
}

/** Merges `copies`: earlier entries equal to a later entry are dropped. */
export function mergeCopies(earlier: Artifact[], later: Artifact[] | undefined): Artifact[] {
  if (later === undefined) return earlier;
  const laterKeys = new Set(later.map(artifactKey));
  return [...earlier.filter((a) => !laterKeys.has(artifactKey(a))), ...later];
}

function nonEmpty<T extends string | number>(earlier: T, later: T | undefined, explicit: boolean): T {
  if (later === undefined) return earlier;
  if (!explicit && (later === '' || later === 0)) return earlier;
  if (later === '') return earlier;
  return later;
}

/**
 * Merges one layer (the root, an include's own fields, or the variant's own fields) into the
 * state. `root` marks the top level, decoded over the defaults: its explicit 0 uid/gid apply.
 */
export function mergeLayer(state: MergeState, layer: Common & Partial<Pick<Variant, 'copies'>>, root = false): MergeState {
  const next: MergeState = {
    ...state,
    base: layer.base !== undefined && layer.base !== '' ? layer.base : state.base,
    arguments: { ...state.arguments, ...(layer.arguments ?? {}) },
    apt: mergeApt(state.apt, layer.apt),
    node: mergeStruct(state.node, layer.node),
    python: mergeStruct(state.python, layer.python),
    php: mergeStruct(state.php, layer.php),
    builder: mergeStruct<CustomBuilder>(state.builder, layer.builder),
    builders: mergeBuilders(state.builders, layer.builders),
    lives: {
      in: nonEmpty(state.lives.in, layer.lives?.in, root),
      as: nonEmpty(state.lives.as, layer.lives?.as, root),
      uid: nonEmpty(state.lives.uid, layer.lives?.uid, root),
      gid: nonEmpty(state.lives.gid, layer.lives?.gid, root),
    },
    runs: {
      in: layer.runs?.in !== undefined && layer.runs.in !== '' ? layer.runs.in : state.runs.in,
      as: nonEmpty(state.runs.as, layer.runs?.as, root),
      uid: nonEmpty(state.runs.uid, layer.runs?.uid, root),
      gid: nonEmpty(state.runs.gid, layer.runs?.gid, root),
      environment: { ...state.runs.environment, ...(layer.runs?.environment ?? {}) },
      insecurely: layer.runs?.insecurely ?? state.runs.insecurely,
    },
    entrypoint: layer.entrypoint ?? state.entrypoint,
    copies: mergeCopies(state.copies, layer.copies),
  };
  return next;
}

function mergeApt(state: MergeState['apt'], apt: Apt | undefined): MergeState['apt'] {
  if (!apt) return state;
  const packages: Record<string, string[]> = {};
  for (const [release, list] of Object.entries(state.packages)) packages[release] = [...list];
  for (const [release, list] of Object.entries(packagesByRelease(apt.packages))) {
    packages[release] = [...(packages[release] ?? []), ...list];
  }
  return { packages, sources: [...state.sources, ...(apt.sources ?? [])], proxies: [...state.proxies, ...(apt.proxies ?? [])] };
}
