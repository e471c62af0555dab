/**
 * `${…}` interpolation, `$each` comprehensions and `$merge` expressions, reproducing PipelineLib
 * (reference §2.1–§2.5):
 *
 * - `${.key}` reads the current stage; `${stage.key}` an ancestor's value (the name splits at the
 *   first `.`, so `${setup.params.ZUUL_REF}` is namespace `setup`, key `params.ZUUL_REF`);
 * - a name without a `.` (`${HOME}`) that is not bound is left verbatim, for shell variables;
 * - a default (`${.x|fallback}`) is used when the name is unbound **or bound to a falsy value**; it
 *   never rescues an unknown or non-ancestor namespace;
 * - a string always interpolates to a string (a bound list prints Groovy-style, `[a, b]`);
 * - maps are interpolated in keys and values, lists item by item; other values pass through.
 */
import { InterpolationError, messages, type StageContext } from './bindings.js';
import { LexerError, splitName, tokenize, type VariableToken } from './lexer.js';
import { isPlainMap, truthy } from './normalize.js';

/** Groovy's `toString` of a bound value, as it lands inside a string. */
export function groovyString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(groovyString).join(', ')}]`;
  if (isPlainMap(value)) {
    const entries = Object.entries(value);
    return entries.length === 0 ? '[:]' : `[${entries.map(([k, v]) => `${k}:${groovyString(v)}`).join(', ')}]`;
  }
  if (value instanceof Date) return javaDate(value);
  return String(value);
}

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** java.util.Date#toString on a UTC JVM (SnakeYAML reads an unquoted date as a Date): `Wed Jan 31 00:00:00 UTC 2024`. */
function javaDate(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const time = `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())}`;
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${two(date.getUTCDate())} ${time} UTC ${date.getUTCFullYear()}`;
}

function resolveVariable(token: VariableToken, ctx: StageContext): string {
  const { namespace, key } = splitName(token.name);
  let found: { found: true; value: unknown } | { found: false };
  if (namespace === undefined) {
    found = ctx.own(key);
    if (!found.found) return token.source;
  } else if (namespace === '') {
    found = ctx.own(key);
  } else {
    found = ctx.ofAncestor(namespace, key);
  }
  if (!found.found) {
    if (token.hasDefault) return token.defaultValue;
    const ns = namespace === '' ? ctx.name : (namespace ?? ctx.name);
    throw new InterpolationError('name-not-found', messages.notFound(ns, key, ctx.available()), messages.notFoundHint);
  }
  if (!truthy(found.value)) return token.hasDefault ? token.defaultValue : '';
  return groovyString(found.value);
}

/** Interpolates one string. Throws InterpolationError (lexer errors carry the offset). */
export function interpolateString(text: string, ctx: StageContext): string {
  let tokens;
  try {
    tokens = tokenize(text);
  } catch (error) {
    if (error instanceof LexerError) throw new InterpolationError('lexer', error.message, error.hint, undefined, error.offset);
    throw error;
  }
  return tokens.map((token) => (token.kind === 'literal' ? token.value : resolveVariable(token, ctx))).join('');
}

/** Groovy tokenize: the delimiter is a set of characters; runs collapse; empty tokens are dropped. */
export function tokenizeBy(text: string, delimiters: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const char of text) {
    if (delimiters.includes(char)) {
      if (current !== '') out.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current !== '') out.push(current);
  return out;
}

function comprehension(expr: Record<string, unknown>, ctx: StageContext): unknown[] {
  const vars = expr.$each;
  const delimiter = truthy(expr.$delimiter) ? String(expr.$delimiter) : '\n';
  const input = interpolate(truthy(expr.$in) ? expr.$in : '', ctx);
  let output = expr.$yield;
  if (!truthy(output)) {
    if (typeof vars !== 'string') {
      throw new InterpolationError('shape', '`$yield` is required when `$each` is a list of names', 'add e.g. `$yield: "${.first} ${.second}"`');
    }
    output = `\${.${vars}}`;
  }
  const items = typeof input === 'string' ? tokenizeBy(input, delimiter) : Array.isArray(input) ? input : [input];
  return items.map((item) => {
    let values: Record<string, unknown>;
    if (Array.isArray(vars)) {
      const parts = tokenizeBy(groovyString(item), ' ');
      if (parts.length < vars.length) {
        throw new InterpolationError(
          'insufficient-input',
          `insufficient number of values given (${groovyString(parts)}) to bind to variables (${groovyString(vars)})`,
          `each item of \`$in\` must hold ${vars.length} space-separated values`,
        );
      }
      values = Object.fromEntries(vars.map((name, i) => [String(name), parts[i]]));
    } else {
      values = { [String(vars)]: item };
    }
    return interpolate(output, ctx.child(values));
  });
}

/** Groovy's `+` on two evaluated operands. */
export function mergeValues(left: unknown, right: unknown): unknown {
  if (Array.isArray(left)) return Array.isArray(right) ? [...left, ...right] : [...left, right];
  if (isPlainMap(left) && isPlainMap(right)) return { ...left, ...right };
  if (typeof left === 'string') return left + groovyString(right);
  if (typeof left === 'number' && typeof right === 'number') return left + right;
  throw new InterpolationError(
    'merge',
    `cannot $merge ${describe(left)} with ${describe(right)}`,
    '`$merge`/`$with` combine two lists (concatenated), two mappings (right side wins) or strings (concatenated)',
  );
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isPlainMap(value)) return 'a mapping';
  return value === null || value === undefined ? 'null' : `a ${typeof value}`;
}

/** Interpolates any value: strings, lists, maps (keys and values), `$each` and `$merge`. */
export function interpolate(value: unknown, ctx: StageContext): unknown {
  if (typeof value === 'string') return interpolateString(value, ctx);
  if (Array.isArray(value)) return value.map((item) => interpolate(item, ctx));
  if (isPlainMap(value)) {
    if ('$each' in value) return comprehension(value, ctx);
    if ('$merge' in value) return mergeValues(interpolate(value.$merge, ctx), interpolate(value.$with, ctx));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [interpolateString(k, ctx), interpolate(v, ctx)]));
  }
  return value;
}
