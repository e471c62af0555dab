/**
 * Expanding a variant: depth-first include order, cycle detection, merge (merge.ts), then the
 * validation Blubber runs again on the merged result (step 7 of its pipeline): errors that only
 * exist after merging, located at the variant's key in the file.
 */
import { formatKeyPath, nearest, type KeyPath, type SpecIssue, type SpecResult } from '../issues.js';
import { issueAt } from '../yaml.js';
import { sourceOf } from './load.js';
import { defaultState, mergeLayer, type ExpandedVariant } from './merge.js';
import type { BlubberConfig, Common, Variant } from './schema.js';

/** Builds issues for a config: located when it came from loadBlubber, else at 1:1 of `<blubber>`. */
export function issueFor(config: BlubberConfig, path: KeyPath, message: string, hint: string, atKey = true): SpecIssue {
  const source = sourceOf(config);
  if (source) return issueAt(source, path, message, { hint, atKey });
  return { file: '<blubber>', line: 1, col: 1, path: formatKeyPath(path), message, hint, severity: 'error' };
}

export function unknownVariant(config: BlubberConfig, name: string): SpecIssue {
  const names = Object.keys(config.variants);
  const guess = nearest(name, names);
  return issueFor(config, ['variants'], `there is no variant "${name}"`, guess ? `did you mean "${guess}"?` : `defined variants: ${names.join(', ') || '(none)'}`);
}

type Order = { ok: true; order: string[] } | { ok: false; error: SpecIssue };

/**
 * The include merge order of a variant: for each include in declared order, its own includes
 * first (recursively), then itself; each name once. A → [B, C], B → [D, E], D → [F] gives
 * F, D, E, B, C.
 */
export function includeOrder(config: BlubberConfig, name: string): Order {
  const order: string[] = [];
  const stack: string[] = [name];
  const visit = (current: string): SpecIssue | undefined => {
    const includes = config.variants[current]?.includes ?? [];
    for (const [i, include] of includes.entries()) {
      if (config.variants[include] === undefined) continue; // `local` or unknown (reported by the rules)
      if (stack.includes(include)) {
        const cycle = [...stack.slice(stack.indexOf(include)), include].join(' → ');
        return issueFor(config, ['variants', current, 'includes', i], `includes form a cycle: ${cycle}`, 'a variant cannot include itself, directly or through other variants; remove one of these includes', false);
      }
      if (order.includes(include)) continue;
      stack.push(include);
      const error = visit(include);
      stack.pop();
      if (error) return error;
      if (!order.includes(include)) order.push(include);
    }
    return undefined;
  };
  const error = visit(name);
  return error ? { ok: false, error } : { ok: true, order };
}

function ownFields(variant: Variant): Common & Pick<Variant, 'copies'> {
  const { includes: _includes, ...rest } = variant;
  return rest;
}

/** Root config + includes (in include order) + the variant itself, then post-merge checks. */
export function expandVariant(config: BlubberConfig, name: string): SpecResult<ExpandedVariant> {
  const variant = config.variants[name];
  if (variant === undefined) return { ok: false, errors: [unknownVariant(config, name)], warnings: [] };
  const order = includeOrder(config, name);
  if (!order.ok) return { ok: false, errors: [order.error], warnings: [] };

  const { version: _version, variants: _variants, ...root } = config;
  let state = mergeLayer(defaultState(), root, true);
  for (const include of order.order) state = mergeLayer(state, ownFields(config.variants[include] ?? {}));
  state = mergeLayer(state, ownFields(variant));
  const expanded: ExpandedVariant = { name, includes: order.order, ...state };

  const errors = postMergeIssues(config, expanded);
  return errors.length > 0 ? { ok: false, errors, warnings: [] } : { ok: true, value: expanded, warnings: [] };
}

interface Layer {
  label: string;
  common: Common;
}

function layersOf(config: BlubberConfig, expanded: ExpandedVariant): Layer[] {
  const { version: _version, variants: _variants, ...root } = config;
  return [
    { label: 'the top level', common: root },
    ...expanded.includes.map((include) => ({ label: `included variant "${include}"`, common: config.variants[include] ?? {} })),
    { label: `variant "${expanded.name}"`, common: config.variants[expanded.name] ?? {} },
  ];
}

function whereSet(layers: Layer[], has: (common: Common) => boolean): string {
  return layers.filter((layer) => has(layer.common)).map((layer) => layer.label).join(' and ');
}

/** Rules that only show after merging (Blubber validates the expanded variant again). */
export function postMergeIssues(config: BlubberConfig, expanded: ExpandedVariant): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const at: KeyPath = ['variants', expanded.name];
  const layers = layersOf(config, expanded);
  if (expanded.builders !== undefined) {
    const standalone = (['node', 'php', 'python', 'builder'] as const).filter((key) => expanded[key] !== undefined);
    if (standalone.length > 0) {
      const others = standalone.map((key) => `"${key}" (from ${whereSet(layers, (c) => c[key] !== undefined)})`).join(', ');
      issues.push(
        issueFor(
          config,
          at,
          `after merging includes, "builders" (from ${whereSet(layers, (c) => c.builders !== undefined)}) is not allowed with ${others}`,
          'using the `builders` list at one level precludes the standalone node/php/python/builder keys at every level (and vice versa); pick one style for the whole file',
        ),
      );
    }
  }
  const builder = expanded.builder;
  if (builder?.command !== undefined && builder.script !== undefined) {
    issues.push(
      issueFor(
        config,
        at,
        `after merging includes, builder has both "command" (from ${whereSet(layers, (c) => c.builder?.command !== undefined)}) and "script" (from ${whereSet(layers, (c) => c.builder?.script !== undefined)})`,
        'command and script are merged independently; use `builders: [{custom: …}]` entries so each builder has one of them',
      ),
    );
  }
  return issues;
}
