/**
 * Schema validation with located, humane errors. One schema library (zod) is the single source
 * of truth for each spec: types are inferred from it, the reference docs are generated from it,
 * and its issues are mapped here to file:line:col + key path + hint. All issues are collected.
 *
 * Convention for custom messages in schemas: `"what was expected\nhint: what to do"`.
 */
import { z } from 'zod';
import { nearest, type KeyPath, type SpecIssue } from './issues.js';
import { issueAt, sourceTextAt, type YamlSource } from './yaml.js';

type AnySchema = z.ZodType;
type Raw = z.core.$ZodRawIssue;
type Issue = z.core.$ZodIssue;

/** How a YAML value is named in messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return `the timestamp ${value.toISOString().replace(/T00:00:00\.000Z$/, '')}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return value === '' ? 'an empty string' : `the string ${JSON.stringify(truncate(value))}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean (true or false)',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'null',
};

function expectedName(expected: string): string {
  return typeNames[expected] ?? expected;
}

/** The parse-level error map: our wording for zod's built-in checks. */
const errorMap: z.core.$ZodErrorMap = (issue: Raw) => {
  switch (issue.code) {
    case 'invalid_type': {
      const hint =
        issue.expected === 'string' && (typeof issue.input === 'number' || typeof issue.input === 'boolean' || issue.input instanceof Date)
          ? `\nhint: quote it: "${String(issue.input)}" (YAML reads unquoted ${String(issue.input)} as a ${issue.input instanceof Date ? 'timestamp' : typeof issue.input})`
          : '';
      if (issue.input === undefined) return `is required: expected ${expectedName(issue.expected)}`;
      return `expected ${expectedName(issue.expected)}, got ${describeValue(issue.input)}${hint}`;
    }
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item(s)`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      return `must be at most ${issue.maximum}`;
    case 'invalid_format':
      return `${describeValue(issue.input)} is not a valid ${issue.format === 'regex' ? `value (must match ${issue.pattern})` : issue.format}`;
    default:
      return undefined;
  }
};

function unwrap(schema: AnySchema): AnySchema[] {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return unwrap(def.innerType as AnySchema);
    case 'pipe':
      return unwrap(def.in as AnySchema);
    case 'lazy':
      return unwrap((def.getter as () => AnySchema)());
    case 'union':
      return (def.options as AnySchema[]).flatMap(unwrap);
    default:
      return [schema];
  }
}

function defOf(schema: AnySchema): Record<string, unknown> & { type: string } {
  return (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
}

/** The schemas that can describe the value at `path` (through unions, optionals, records, lists). */
export function schemasAt(root: AnySchema, path: KeyPath): AnySchema[] {
  let current = unwrap(root);
  for (const key of path) {
    const next: AnySchema[] = [];
    for (const schema of current) {
      const def = defOf(schema);
      if (def.type === 'object' && typeof key === 'string') {
        const shape = def.shape as Record<string, AnySchema>;
        if (shape[key]) next.push(...unwrap(shape[key]));
      } else if (def.type === 'record') {
        next.push(...unwrap(def.valueType as AnySchema));
      } else if (def.type === 'array' && typeof key === 'number') {
        next.push(...unwrap(def.element as AnySchema));
      }
    }
    current = next;
  }
  return current;
}

/** The keys a mapping at `path` may have. */
export function allowedKeysAt(root: AnySchema, path: KeyPath): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(root, path)) {
    const def = defOf(schema);
    if (def.type === 'object') for (const key of Object.keys(def.shape as object)) keys.add(key);
  }
  return [...keys];
}

function splitHint(message: string): { message: string; hint?: string } {
  const at = message.indexOf('\nhint: ');
  return at < 0 ? { message } : { message: message.slice(0, at), hint: message.slice(at + 7) };
}

/** For a failed union, the branch that got furthest (deepest issues, then fewest). */
function bestBranch(branches: Issue[][]): Issue[] | undefined {
  let best: Issue[] | undefined;
  let bestScore = -Infinity;
  for (const branch of branches) {
    const depth = Math.max(...branch.map((i) => i.path.length + (i.code === 'invalid_type' ? 0 : 0.5)));
    const score = depth * 1000 - branch.length;
    if (score > bestScore) {
      best = branch;
      bestScore = score;
    }
  }
  return best;
}

function flatten(issues: readonly Issue[], prefix: PropertyKey[] = []): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const allShallow = issue.errors.every((branch) => branch.every((i) => i.path.length === 0 && i.code === 'invalid_type'));
      if (allShallow && !issue.message.startsWith('expected ') ) {
        const expected = [...new Set(issue.errors.flat().map((i) => (i.code === 'invalid_type' ? expectedName(i.expected) : '')))].filter(Boolean);
        const input = (issue.errors.flat()[0] as { input?: unknown } | undefined)?.input;
        out.push({ ...issue, path, message: `expected ${expected.join(' or ')}, got ${describeValue(input)}` } as Issue);
      } else if (allShallow) {
        out.push({ ...issue, path } as Issue);
      } else {
        out.push(...flatten(bestBranch(issue.errors as Issue[][]) ?? [], path));
      }
    } else {
      out.push({ ...issue, path } as Issue);
    }
  }
  return out;
}

function toKeyPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((p) => (typeof p === 'symbol' ? String(p) : p));
}

/**
 * Validates `value` (the plain data of `source`) against `schema`. Returns the parsed value or all
 * located issues.
 */
export function validate<S extends AnySchema>(
  schema: S,
  value: unknown,
  source: YamlSource,
): { ok: true; value: z.output<S> } | { ok: false; errors: SpecIssue[] } {
  const result = schema.safeParse(value, { error: errorMap, reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  const errors: SpecIssue[] = [];
  for (const issue of flatten(result.error.issues)) {
    const path = toKeyPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema, path);
      for (const key of issue.keys) {
        const suggestion = nearest(key, allowed);
        errors.push(
          issueAt(source, [...path, key], `unknown key "${key}"`, {
            atKey: true,
            hint: suggestion ? `did you mean "${suggestion}"?` : allowed.length ? `valid keys here: ${allowed.join(', ')}` : undefined,
          }),
        );
      }
      continue;
    }
    const { message, hint } = splitHint(issue.message);
    errors.push(issueAt(source, path, message, { hint: asWritten(hint, source, path) }));
  }
  return { ok: false, errors: dedupe(errors) };
}

/** A "quote it" hint names the value as the user wrote it (`y`, `0o17`), not as YAML read it. */
function asWritten(hint: string | undefined, source: YamlSource, path: (string | number)[]): string | undefined {
  if (!hint?.startsWith('quote it: ')) return hint;
  const text = sourceTextAt(source, path);
  if (text === undefined || /^["']/.test(text)) return hint;
  return hint.replace(/^quote it: "[^"]*" \(YAML reads unquoted \S+/, `quote it: "${text}" (YAML reads unquoted ${text}`);
}

function dedupe(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.line}:${i.col}:${i.path}:${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
