/**
 * What `docker buildx bake` makes of the bake files Kokkuri's `.kokkuri:bake` jobs use
 * (kokkuri.md §1.3): `variable` blocks (overridden from the job's environment), `function`
 * blocks, `target` blocks (inherits, context, dockerfile, target, args, platforms, tags,
 * output, attest, and `matrix` + `name`), `group` blocks; expressions through hcl.ts. Pure.
 */
import { HclError, parseHcl, type Block, type HclValue } from './hcl.js';
import { asText, evaluate, type Scope } from './hcl-eval.js';

export class BakeError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

export interface BakeTarget {
  name: string;
  /** The Blubber variant (`target =`), default the target name. */
  variant: string;
  context: string;
  dockerfile: string;
  args: Record<string, string>;
  platforms: string[];
  tags: string[];
  /** `registry` (pushed: local tags for devpipe), `local` (files to `dest`), or none (build only). */
  output: { type: 'registry' } | { type: 'local'; dest: string } | { type: 'none' } | { type: 'other'; text: string };
  attest: string[];
}

const asList = (v: HclValue | undefined): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(asText) : [asText(v)]);

function outputOf(value: HclValue | undefined): BakeTarget['output'] {
  const first = asList(value)[0];
  if (!first) return { type: 'none' };
  const fields = Object.fromEntries(first.split(',').map((kv) => [kv.split('=')[0]!.trim(), kv.slice(kv.indexOf('=') + 1).trim()]));
  if (fields.type === 'registry' || (fields.type === 'image' && fields.push === 'true')) return { type: 'registry' };
  if (fields.type === 'local' && fields.dest) return { type: 'local', dest: fields.dest };
  return { type: 'other', text: first };
}

function located<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof HclError) throw new BakeError(error.message, error.line, error.col);
    throw error;
  }
}

/** The targets `requested` names (targets or groups, recursively), variables overridden by `env`. */
export function bakeTargets(text: string, requested: readonly string[], env: Record<string, string>): BakeTarget[] {
  return located(() => targetsOf(parseHcl(text), requested, env));
}

function targetsOf(file: Block, requested: readonly string[], env: Record<string, string>): BakeTarget[] {
  const scope: Scope = { vars: {}, functions: {} };
  for (const b of file.blocks.filter((b) => b.type === 'function')) {
    const params = b.attrs.params?.k === 'list' ? b.attrs.params.items.map((p) => (p.k === 'ref' ? p.name : '')) : [];
    if (b.attrs.result) scope.functions[b.labels[0] ?? ''] = { params, result: b.attrs.result };
  }
  for (const b of file.blocks.filter((b) => b.type === 'variable')) {
    const name = b.labels[0] ?? '';
    scope.vars[name] = env[name] ?? (b.attrs.default ? evaluate(b.attrs.default, scope) : '');
  }
  // Targets, with `matrix` targets expanded into one per combination (named by `name`).
  const targets = new Map<string, { block: Block; vars: Record<string, HclValue> }>();
  for (const b of file.blocks.filter((b) => b.type === 'target')) {
    const label = b.labels[0] ?? '';
    const matrix = b.attrs.matrix ? evaluate(b.attrs.matrix, scope) : undefined;
    if (!matrix || typeof matrix !== 'object' || Array.isArray(matrix)) {
      targets.set(label, { block: b, vars: {} });
      continue;
    }
    let combos: Record<string, HclValue>[] = [{}];
    for (const [key, values] of Object.entries(matrix)) combos = combos.flatMap((c) => (Array.isArray(values) ? values : [values]).map((v) => ({ ...c, [key]: v })));
    for (const vars of combos) {
      const name = b.attrs.name ? asText(evaluate(b.attrs.name, { ...scope, vars: { ...scope.vars, ...vars } })) : label;
      targets.set(name, { block: b, vars });
    }
  }
  const groups = new Map(file.blocks.filter((b) => b.type === 'group').map((b) => [b.labels[0] ?? '', asList(b.attrs.targets ? evaluate(b.attrs.targets, scope) : [])]));
  const attrsOf = (name: string, trail: string[]): Record<string, HclValue> => {
    const found = targets.get(name);
    if (!found) throw new BakeError(`no target \`${name}\` in the bake file (targets: ${[...targets.keys()].join(', ')})`, 1, 1);
    if (trail.includes(name)) throw new BakeError(`inherits forms a cycle: ${[...trail, name].join(' → ')}`, 1, 1);
    const local: Scope = { ...scope, vars: { ...scope.vars, ...found.vars } };
    const own = Object.fromEntries(Object.entries(found.block.attrs).filter(([k]) => k !== 'matrix' && k !== 'name').map(([k, v]) => [k, evaluate(v, local)]));
    let merged: Record<string, HclValue> = {};
    for (const parent of asList(own.inherits)) merged = { ...merged, ...attrsOf(parent, [...trail, name]) };
    const { inherits: _inherits, ...rest } = own;
    // Maps (args, labels) merge key by key over the parents'; everything else replaces.
    const isMap = (v: HclValue | undefined): v is Record<string, HclValue> => typeof v === 'object' && v !== null && !Array.isArray(v);
    for (const [key, value] of Object.entries(rest)) merged[key] = isMap(merged[key]) && isMap(value) ? { ...merged[key], ...value } : value;
    return merged;
  };
  const names: string[] = [];
  const expandName = (name: string, trail: string[]) => {
    if (groups.has(name) && !targets.has(name)) {
      if (trail.includes(name)) throw new BakeError(`group \`${name}\` contains itself`, 1, 1);
      for (const t of groups.get(name)!) expandName(t, [...trail, name]);
    } else if (!names.includes(name)) names.push(name);
  };
  for (const name of requested) expandName(name, []);
  return names.map((name) => {
    const body = attrsOf(name, []);
    const args = body.args && typeof body.args === 'object' && !Array.isArray(body.args) ? Object.fromEntries(Object.entries(body.args).map(([k, v]) => [k, asText(v)])) : {};
    return {
      name,
      variant: typeof body.target === 'string' ? body.target : name,
      context: typeof body.context === 'string' ? body.context : '.',
      dockerfile: typeof body.dockerfile === 'string' ? body.dockerfile : 'Dockerfile',
      args,
      platforms: asList(body.platforms),
      tags: asList(body.tags),
      output: outputOf(body.output),
      attest: asList(body.attest),
    };
  });
}
