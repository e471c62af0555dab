/** The Go template builtins and the Sprig/Helm functions deployment-charts uses. Pure. */
import { createHash } from 'node:crypto';
import { parse as parseYamlText, stringify } from 'yaml';
import { TemplateError } from './lex.js';

export type Value = unknown;
type Fn = (...args: Value[]) => Value;

export function isMapValue(v: Value): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMapValue(v)) return Object.keys(v).length > 0;
  return true;
}

/** How Go prints a value (`{{ x }}`); Helm turns a missing value into "". */
export function printValue(v: Value): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) >= 1e21 ? v.toExponential() : String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (isMapValue(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${printValue(v[k])}`).join(' ')}]`;
  return String(v);
}

/** Helm's toYaml: keys sorted, no trailing newline, `{}` for nil. */
export function toYaml(v: Value): string {
  if (v === undefined || v === null) return 'null';
  return stringify(v, { sortMapEntries: true, lineWidth: 0 }).replace(/\n$/, '');
}

function indent(n: Value, s: Value): string {
  const pad = ' '.repeat(Number(n));
  return printValue(s)
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
}

function kindOf(v: Value): string {
  if (v === undefined || v === null) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (isMapValue(v)) return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  return typeof v;
}

function sprintf(format: Value, ...args: Value[]): string {
  let i = 0;
  return printValue(format).replace(/%([-+ 0#]*\d*(?:\.\d+)?)([sdvqfx%])/g, (_, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[i++];
    if (verb === 'q') return JSON.stringify(printValue(arg));
    if (verb === 'd') return String(Math.trunc(Number(arg)));
    if (verb === 'x') return Number(arg).toString(16);
    return printValue(arg);
  });
}

function compare(a: Value, b: Value): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : printValue(a).localeCompare(printValue(b));
}

function merge(dst: Value, ...srcs: Value[]): Value {
  const out = isMapValue(dst) ? dst : {};
  for (const src of srcs) {
    if (!isMapValue(src)) continue;
    for (const [k, v] of Object.entries(src)) {
      if (!(k in out)) out[k] = structuredClone(v);
      else if (isMapValue(out[k]) && isMapValue(v)) merge(out[k], v);
    }
  }
  return out;
}

export const builtins: Record<string, Fn> = {
  default: (d, v) => (truthy(v) ? v : d),
  quote: (...a) => a.map((v) => JSON.stringify(printValue(v))).join(' '),
  squote: (...a) => a.map((v) => `'${printValue(v)}'`).join(' '),
  upper: (s) => printValue(s).toUpperCase(),
  lower: (s) => printValue(s).toLowerCase(),
  trim: (s) => printValue(s).trim(),
  trimSuffix: (suffix, s) => (printValue(s).endsWith(printValue(suffix)) && printValue(suffix) ? printValue(s).slice(0, -printValue(suffix).length) : printValue(s)),
  trimPrefix: (prefix, s) => (printValue(s).startsWith(printValue(prefix)) ? printValue(s).slice(printValue(prefix).length) : printValue(s)),
  trunc: (n, s) => (Number(n) >= 0 ? printValue(s).slice(0, Number(n)) : printValue(s).slice(Number(n))),
  replace: (old, neu, s) => printValue(s).split(printValue(old)).join(printValue(neu)),
  contains: (sub, s) => printValue(s).includes(printValue(sub)),
  hasPrefix: (p, s) => printValue(s).startsWith(printValue(p)),
  hasSuffix: (p, s) => printValue(s).endsWith(printValue(p)),
  printf: sprintf,
  print: (...a) => a.map(printValue).join(''),
  println: (...a) => `${a.map(printValue).join(' ')}\n`,
  toString: (v: Value) => printValue(v),
  toYaml,
  toJson: (v) => JSON.stringify(v ?? null),
  fromYaml: (s) => parseYamlText(printValue(s)) as Value,
  indent,
  nindent: (n, s) => `\n${indent(n, s)}`,
  sha256sum: (s) => createHash('sha256').update(printValue(s)).digest('hex'),
  sha1sum: (s) => createHash('sha1').update(printValue(s)).digest('hex'),
  b64enc: (s) => Buffer.from(printValue(s)).toString('base64'),
  b64dec: (s) => Buffer.from(printValue(s), 'base64').toString(),
  dict: (...a) => Object.fromEntries(Array.from({ length: Math.floor(a.length / 2) }, (_, i) => [printValue(a[2 * i]), a[2 * i + 1]])),
  list: (...a) => a,
  append: (l, v) => [...(Array.isArray(l) ? l : []), v],
  concat: (...ls) => ls.flatMap((l) => (Array.isArray(l) ? l : [])),
  first: (l) => (Array.isArray(l) ? l[0] : undefined),
  last: (l) => (Array.isArray(l) ? l[l.length - 1] : undefined),
  join: (sep, l) => (Array.isArray(l) ? l.map(printValue).join(printValue(sep)) : printValue(l)),
  splitList: (sep, s) => printValue(s).split(printValue(sep)),
  sortAlpha: (l) => (Array.isArray(l) ? l.map(printValue).sort() : []),
  compact: (l) => (Array.isArray(l) ? l.filter(truthy) : []),
  uniq: (l) => (Array.isArray(l) ? [...new Set(l)] : []),
  keys: (...ms) => ms.flatMap((m) => (isMapValue(m) ? Object.keys(m) : [])),
  get: (m, k) => (isMapValue(m) ? (m[printValue(k)] ?? '') : ''),
  set: (m, k, v) => {
    if (isMapValue(m)) m[printValue(k)] = v;
    return m;
  },
  hasKey: (m, k) => isMapValue(m) && printValue(k) in m,
  pick: (m, ...ks) => (isMapValue(m) ? Object.fromEntries(Object.entries(m).filter(([k]) => ks.map(printValue).includes(k))) : {}),
  omit: (m, ...ks) => (isMapValue(m) ? Object.fromEntries(Object.entries(m).filter(([k]) => !ks.map(printValue).includes(k))) : {}),
  merge,
  mergeOverwrite: (dst, ...srcs) => Object.assign(isMapValue(dst) ? dst : {}, ...srcs.filter(isMapValue)),
  deepCopy: (v: Value) => structuredClone(v),
  kindIs: (kind, v) => kindOf(v) === printValue(kind),
  kindOf,
  typeOf: kindOf,
  empty: (v) => !truthy(v),
  coalesce: (...a) => a.find(truthy),
  ternary: (a, b, cond) => (truthy(cond) ? a : b),
  not: (v) => !truthy(v),
  eq: (a, ...bs) => bs.some((b) => (a ?? '') === (b ?? '') || (typeof a === 'number' && a === Number(b))),
  ne: (a, b) => (a ?? '') !== (b ?? ''),
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
  len: (v) => (Array.isArray(v) ? v.length : isMapValue(v) ? Object.keys(v).length : printValue(v).length),
  index: (v, ...ks) => ks.reduce<Value>((acc, k) => (Array.isArray(acc) ? acc[Number(k)] : isMapValue(acc) ? acc[printValue(k)] : undefined), v),
  int: (v) => Math.trunc(Number(v) || 0),
  int64: (v) => Math.trunc(Number(v) || 0),
  float64: (v) => Number(v) || 0,
  atoi: (v) => Math.trunc(Number(v) || 0),
  add: (...a) => a.reduce<number>((s, v) => s + Number(v), 0),
  sub: (a, b) => Number(a) - Number(b),
  mul: (...a) => a.reduce<number>((s, v) => s * Number(v), 1),
  div: (a, b) => Math.trunc(Number(a) / Number(b)),
  max: (...a) => Math.max(...a.map(Number)),
  min: (...a) => Math.min(...a.map(Number)),
  regexMatch: (re, s) => new RegExp(printValue(re)).test(printValue(s)),
  semverCompare: (constraint, version) => semverCompare(printValue(constraint), printValue(version)),
  lookup: () => ({}),
  required: (message, v) => {
    if (!truthy(v) && v !== false && v !== 0) throw new TemplateError(printValue(message));
    return v;
  },
  fail: (message) => {
    throw new TemplateError(printValue(message));
  },
};

/** `>=1.23`, `<1.25-0`, `^1.2`: enough of Masterminds' semver for capability checks. */
function semverCompare(constraint: string, version: string): boolean {
  const parts = (v: string) => v.replace(/^v/, '').split('-')[0]?.split('.').map((x) => Number(x) || 0) ?? [];
  const cmp = (a: number[], b: number[]) => {
    for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
    return 0;
  };
  return constraint.split(/\s*,\s*|\s+/).every((c) => {
    const m = /^(>=|<=|>|<|=|\^|~)?\s*(.+)$/.exec(c.trim());
    if (!m) return true;
    const d = cmp(parts(version), parts(m[2] ?? ''));
    switch (m[1]) {
      case '>=': return d >= 0;
      case '<=': return d <= 0;
      case '>': return d > 0;
      case '<': return d < 0;
      default: return d === 0 || m[1] === '^' || m[1] === '~';
    }
  });
}
