/** Evaluating HCL expressions of a bake file (parsed by hcl.ts): variables, functions, templates. */
import { HclError, parseExpression, type Expr, type HclValue, type Token } from './hcl.js';

export interface Scope {
  vars: Record<string, HclValue>;
  functions: Record<string, { params: string[]; result: Expr }>;
}

const asNumber = (v: HclValue, at: Token): number => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (Number.isNaN(n)) throw new HclError(`expected a number, got ${JSON.stringify(v)}`, at.line, at.col);
  return n;
};
const asList = (v: HclValue, at: Token): HclValue[] => {
  if (!Array.isArray(v)) throw new HclError(`expected a list, got ${JSON.stringify(v)}`, at.line, at.col);
  return v;
};
export const asText = (v: HclValue): string => (v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

const builtins: Record<string, (args: HclValue[], at: Token) => HclValue> = {
  length: ([v], at) => (typeof v === 'string' ? v.length : Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : asNumber(null, at)),
  split: ([sep, s]) => asText(s ?? '').split(asText(sep ?? '')),
  join: ([sep, list], at) => asList(list ?? null, at).map(asText).join(asText(sep ?? '')),
  slice: ([list, start, end], at) => asList(list ?? null, at).slice(asNumber(start ?? null, at), asNumber(end ?? null, at)),
  range: (args, at) => {
    const [a, b] = args.length === 1 ? [0, asNumber(args[0]!, at)] : [asNumber(args[0] ?? null, at), asNumber(args[1] ?? null, at)];
    return Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);
  },
  concat: (args, at) => args.flatMap((l) => asList(l, at)),
  lower: ([s]) => asText(s ?? '').toLowerCase(),
  upper: ([s]) => asText(s ?? '').toUpperCase(),
  replace: ([s, a, b]) => asText(s ?? '').split(asText(a ?? '')).join(asText(b ?? '')),
  trimprefix: ([s, p]) => (asText(s ?? '').startsWith(asText(p ?? '')) ? asText(s ?? '').slice(asText(p ?? '').length) : asText(s ?? '')),
  trimsuffix: ([s, p]) => (asText(p ?? '') !== '' && asText(s ?? '').endsWith(asText(p ?? '')) ? asText(s ?? '').slice(0, -asText(p ?? '').length) : asText(s ?? '')),
};

/** `"a ${expr} b"` → its text; `$${` is a literal `${`. */
function template(raw: string, at: Token, scope: Scope): HclValue {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    if (raw.startsWith('$${', i)) {
      out += '${';
      i += 3;
    } else if (raw.startsWith('${', i)) {
      let depth = 1;
      let j = i + 2;
      while (j < raw.length && depth > 0) {
        if (raw[j] === '{') depth++;
        else if (raw[j] === '}') depth--;
        j++;
      }
      const inner = raw.slice(i + 2, j - 1);
      const value = evaluate(parseExpression(inner, at), scope);
      if (raw.length === j - i && i === 0) return value;
      out += asText(value);
      i = j;
    } else if (raw[i] === '\\' && i + 1 < raw.length) {
      const c = raw[i + 1]!;
      out += c === 'n' ? '\n' : c === 't' ? '\t' : c;
      i += 2;
    } else out += raw[i++];
  }
  return out;
}

export function evaluate(e: Expr, scope: Scope): HclValue {
  switch (e.k) {
    case 'lit':
      return e.v;
    case 'tpl':
      return template(e.raw, e.at, scope);
    case 'ref':
      if (!(e.name in scope.vars)) throw new HclError(`unknown variable \`${e.name}\``, e.at.line, e.at.col);
      return scope.vars[e.name]!;
    case 'list':
      return e.items.map((i) => evaluate(i, scope));
    case 'map':
      return Object.fromEntries(e.entries.map(([k, v]) => [k, evaluate(v, scope)]));
    case 'index': {
      const target = evaluate(e.target, scope);
      const index = evaluate(e.index, scope);
      if (Array.isArray(target)) return target[Number(index)] ?? null;
      if (target && typeof target === 'object') return target[asText(index)] ?? null;
      return null;
    }
    case 'for': {
      const source = evaluate(e.source, scope);
      const entries: [HclValue, HclValue][] = Array.isArray(source) ? source.map((v, i) => [i, v]) : source && typeof source === 'object' ? Object.entries(source) : [];
      return entries.map(([k, v]) => evaluate(e.body, { ...scope, vars: { ...scope.vars, [e.value]: v, ...(e.key ? { [e.key]: k } : {}) } }));
    }
    case 'call': {
      const args = e.args.map((a) => evaluate(a, scope));
      const user = scope.functions[e.name];
      if (user) return evaluate(user.result, { ...scope, vars: { ...scope.vars, ...Object.fromEntries(user.params.map((p, i) => [p, args[i] ?? null])) } });
      const builtin = builtins[e.name];
      if (!builtin) throw new HclError(`function \`${e.name}\` is not supported by devpipe's bake reader`, e.at.line, e.at.col);
      return builtin(args, e.at);
    }
    case 'bin': {
      const l = asNumber(evaluate(e.left, scope), e.at);
      const r = asNumber(evaluate(e.right, scope), e.at);
      return e.op === '+' ? l + r : e.op === '-' ? l - r : e.op === '*' ? l * r : l / r;
    }
  }
}
