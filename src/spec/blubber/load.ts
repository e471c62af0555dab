/**
 * Reading a Blubber file: parse YAML as Go's yaml.v2 does (with positions) → check `version` first
 * (a wrong version wins over every other error, as in Blubber) → the nulls Blubber's JSON schema
 * allows, ignored entry keys, the copies form (reading.ts) → zod schema → Blubber's semantic rules. All issues are collected, each with file:line:col, key path and a hint.
 * No I/O: the caller reads the file and passes its text.
 */
import type { KeyPath, SpecIssue, SpecResult } from '../issues.js';
import { validate } from '../validate.js';
import { issueAt, parseYaml, type YamlSource } from '../yaml.js';
import { blubberNulls, checkEntries, nullHint } from './reading.js';
import { checkConfig, type IssueSink } from './rules.js';
import { commonSchema, configSchema, variantSchema, type BlubberConfig, type Variant } from './schema.js';

const sources = new WeakMap<BlubberConfig, YamlSource>();

/** The parsed source of a loaded config (to locate errors found later, e.g. after merging). */
export function sourceOf(config: BlubberConfig): YamlSource | undefined {
  return sources.get(config);
}

export function issueSink(source: YamlSource, errors: SpecIssue[], warnings: SpecIssue[]): IssueSink {
  return {
    error: (path, message, hint, options) => errors.push(issueAt(source, path, message, { hint, atKey: options?.atKey ?? false })),
    warning: (path, message, hint, options) => warnings.push(issueAt(source, path, message, { hint, atKey: options?.atKey ?? false, severity: 'warning' })),
  };
}

const migrationHint =
  'set `version: v4` and migrate: `copies: <variant>` becomes a list `copies: [<variant>]`; v4 copies nothing by default, so add `local` to copy the project (`copies: [local]`); ' +
  '`artifacts: [{from, source, destination}]` entries move into `copies`; python now installs into a virtualenv (/opt/lib/venv); see docs/blubber.md';

/** Loads and validates a Blubber v4 file. */
export function loadBlubber(text: string, file: string): SpecResult<BlubberConfig> {
  const parsed = parseYaml(text, file, { dialect: 'go-yaml-v2' });
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: [] };
  const { source } = parsed;
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [...parsed.warnings];
  const sink = issueSink(source, errors, warnings);
  const raw = parsed.value;

  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    sink.error([], `a Blubber file is a mapping with \`version: v4\` and \`variants:\`, got ${raw === null || raw === undefined ? 'an empty document' : Array.isArray(raw) ? 'a list' : 'a scalar'}`, 'start the file with `version: v4`');
    return { ok: false, errors, warnings };
  }
  // ghodss/yaml's JSON conversion comes before anything else.
  notJson(raw, [], sink);
  if (errors.length > 0) return { ok: false, errors, warnings };
  if (!checkVersion(raw as Record<string, unknown>, sink)) return { ok: false, errors, warnings };

  const value = blubberNulls(raw, [], sink) as Record<string, unknown>;
  checkEntries(value, sink);
  const result = validate(configSchema, value, source);
  if (!result.ok || errors.length > 0) {
    if (!result.ok) errors.push(...result.errors.map((issue) => nullHint(improveHint(issue))));
    // Still run the semantic rules on every part that has a valid shape, so one typo does not
    // hide the other problems of the file.
    checkConfig(partialConfig(value), sink);
    return { ok: false, errors, warnings };
  }
  checkConfig(result.value, sink);
  if (errors.length > 0) return { ok: false, errors, warnings };
  sources.set(result.value, source);
  return { ok: true, value: result.value, warnings };
}

function checkVersion(raw: Record<string, unknown>, sink: IssueSink): boolean {
  const version = raw.version;
  if (version === undefined || version === null) {
    sink.error([], 'version: is required', 'add `version: v4` at the top of the file');
    return false;
  }
  if (version === 'v4') return true;
  if (version === 'v3' || version === 'v2' || version === 'v1') {
    sink.error(['version'], `version ${version} is not supported; devpipe reads Blubber v4`, migrationHint);
    noteV3Shapes(raw, sink);
    return false;
  }
  sink.error(['version'], `config version ${JSON.stringify(version)} is unsupported`, typeof version === 'number' ? 'write the version as the string v4: `version: v4`' : 'set `version: v4`');
  return false;
}

/** Points at the v3 shapes a migration must change (as warnings; the version error comes first). */
function noteV3Shapes(raw: Record<string, unknown>, sink: IssueSink): void {
  const variants = raw.variants;
  if (!variants || typeof variants !== 'object') return;
  for (const [name, variant] of Object.entries(variants as Record<string, unknown>)) {
    if (!variant || typeof variant !== 'object') continue;
    const v = variant as Record<string, unknown>;
    if (typeof v.copies === 'string') {
      sink.warning(['variants', name, 'copies'], `v3 \`copies: ${v.copies}\` (one variant) must become a list in v4`, `write \`copies: [${v.copies}]\``);
    }
    if (v.artifacts !== undefined) {
      sink.warning(['variants', name, 'artifacts'], 'v3 `artifacts` do not exist in v4', 'move each entry into `copies` as {from, source, destination}', { atKey: true });
    }
  }
}

/**
 * ghodss/yaml converts the YAML to JSON before anything else: `.inf`/`.nan` have no JSON form
 * ("json: unsupported value") and a null key has no JSON name, so Blubber refuses the file.
 */
function notJson(value: unknown, path: KeyPath, sink: IssueSink): void {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    sink.error(path, `${String(value)} (YAML .inf/.nan) cannot be converted to JSON, so Blubber refuses the file`, 'quote it if a string is meant: ".inf"');
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => notJson(item, [...path, i], sink));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) notJson(item, [...path, key], sink);
  }
}

/** Keys that exist only inside variants get a better hint when found at the top level. */
function improveHint(issue: SpecIssue): SpecIssue {
  const match = /^unknown key "(copies|includes)"$/.exec(issue.message);
  if (match && !issue.path.startsWith('variants')) {
    return { ...issue, hint: `\`${match[1]}\` is only allowed inside a variant (variants.<name>.${match[1]})` };
  }
  const legacy: Record<string, string> = {
    sharedvolume: '`sharedvolume` was removed from Blubber in 2018; copy the files with `copies: [local]`',
    artifacts: 'v3 `artifacts` moved into `copies` in v4: `copies: [{from, source, destination}]`',
    'use-system-flag': '`python.use-system-flag` was removed in 2024 (Blubber always uses a virtualenv); remove it',
  };
  const key = /^unknown key "([^"]+)"$/.exec(issue.message)?.[1];
  if (key && legacy[key]) return { ...issue, hint: legacy[key] };
  return issue;
}

/** The parts of an invalid document whose shape is valid (keys with schema errors are left out). */
function partialConfig(value: Record<string, unknown>): BlubberConfig {
  const { version: _version, variants, ...common } = value;
  const parsedVariants: Record<string, Variant> = {};
  if (variants && typeof variants === 'object' && !Array.isArray(variants)) {
    for (const [name, variant] of Object.entries(variants as Record<string, unknown>)) {
      parsedVariants[name] = validParts(variantSchema, variant) ?? {};
    }
  }
  return { ...(validParts(commonSchema, common) ?? {}), version: 'v4', variants: parsedVariants };
}

/** Parses a mapping, retrying without the top-level keys that have schema errors. */
function validParts<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[] }[] } } }, value: unknown): T | undefined {
  const first = schema.safeParse(value);
  if (first.success) return first.data;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const bad = new Set(first.error.issues.map((issue) => issue.path[0]));
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => !bad.has(key)));
  const second = schema.safeParse(rest);
  return second.success ? second.data : undefined;
}

