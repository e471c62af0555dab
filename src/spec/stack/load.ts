/**
 * Reading `.pipeline/devpipe.yaml`: parse (YAML 1.1 with positions) → version (and the upgrade
 * hook) → schema → profile overlay (built-in, then the project's) → schema again on the effective
 * config → rules → normalize. All issues are collected and located. No I/O: the caller passes text.
 */
import type { SpecIssue, SpecResult } from '../issues.js';
import { validate } from '../validate.js';
import { issueAt, locateKey, parseYaml, type YamlSource } from '../yaml.js';
import { applyProfile, deepMerge, type Raw } from './overlay.js';
import { checkStack, type IssueSink } from './rules.js';
import { profileSchema, stackSchema } from './schema.js';
import { normalizeStack } from './normalize.js';
import { DEFAULT_PROFILE, STACK_FILE, type StackConfig } from './types.js';

export const CURRENT_VERSION = 'v1';

/**
 * The upgrade hook: one function per old version turning its raw data into the next version's.
 * Empty while v1 is the only version; `v1: (raw) => ({ ...raw, version: 'v2' })` comes with v2.
 */
export const upgrades: Readonly<Record<string, (raw: Raw) => Raw>> = {};

export interface BuiltinProfile {
  name: string;
  /** As shown in messages (e.g. `profiles/ci.yaml`). */
  file: string;
  text: string;
}

export interface LoadStackOptions {
  /** The project directory's name (the default stack name). */
  directoryName: string;
  /** `--profile` (default `compose`). */
  profile?: string | undefined;
  builtins: readonly BuiltinProfile[];
}

/** A directory name → a valid stack (compose project) name. */
export function stackName(directoryName: string): string {
  const name = directoryName.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/[-_]+$/, '');
  return name || 'devpipe';
}

/** The zero-config stack: one service from the `production` variant. */
export function zeroConfig(directoryName: string): Raw {
  return { version: CURRENT_VERSION, services: { [stackName(directoryName)]: { build: 'production' } } };
}

function sinkFor(source: YamlSource, errors: SpecIssue[], warnings: SpecIssue[]): IssueSink {
  return {
    error: (path, message, hint, options) => errors.push(issueAt(source, path, message, { hint, atKey: options?.atKey ?? false })),
    warning: (path, message, hint, options) => warnings.push(issueAt(source, path, message, { hint, atKey: options?.atKey ?? false, severity: 'warning' })),
  };
}

/** Brings raw data to the current version, or explains why it cannot. */
export function upgradeConfig(raw: Raw, sink: IssueSink): Raw | undefined {
  let current = raw;
  for (let guard = 0; guard < 10; guard++) {
    const version = current.version;
    if (version === CURRENT_VERSION) return current;
    if (version === undefined || version === null) {
      sink.error([], 'version: is required', `add \`version: ${CURRENT_VERSION}\` at the top of the file`);
      return undefined;
    }
    const upgrade = typeof version === 'string' ? upgrades[version] : undefined;
    if (!upgrade) {
      sink.error(['version'], `devpipe.yaml version ${JSON.stringify(version)} is not supported`, `this devpipe reads \`version: ${CURRENT_VERSION}\`${typeof version === 'string' && version > CURRENT_VERSION ? '; a newer devpipe may read it' : ''}`);
      return undefined;
    }
    current = upgrade(current);
  }
  return undefined;
}

function parseBuiltins(builtins: readonly BuiltinProfile[], errors: SpecIssue[]): Map<string, Raw> {
  const out = new Map<string, Raw>();
  for (const profile of builtins) {
    const parsed = parseYaml(profile.text, profile.file);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      continue;
    }
    const result = validate(profileSchema, parsed.value ?? {}, parsed.source);
    if (!result.ok) errors.push(...result.errors);
    else out.set(profile.name, (parsed.value ?? {}) as Raw);
  }
  return out;
}

export function loadStack(text: string | undefined, file: string, options: LoadStackOptions): SpecResult<StackConfig> {
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const fail = (): SpecResult<StackConfig> => ({ ok: false, errors, warnings });
  const zero = text === undefined;
  const parsed = parseYaml(zero ? '' : text, zero ? STACK_FILE : file);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings };
  const { source } = parsed;
  const sink = sinkFor(source, errors, warnings);
  const value = zero ? zeroConfig(options.directoryName) : parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    sink.error([], `devpipe.yaml is a mapping with \`version: ${CURRENT_VERSION}\` and \`services:\``, `start the file with \`version: ${CURRENT_VERSION}\``);
    return fail();
  }
  const raw = upgradeConfig(value as Raw, sink);
  if (!raw) return fail();

  const builtins = parseBuiltins(options.builtins, errors);
  const checked = validate(stackSchema, raw, source);
  if (!checked.ok) {
    errors.push(...checked.errors);
    return fail();
  }
  const projectProfiles = (raw.profiles ?? {}) as Record<string, Raw>;
  const profile = options.profile ?? DEFAULT_PROFILE;
  const available = [...new Set([...builtins.keys(), ...Object.keys(projectProfiles)])];
  if (profile !== DEFAULT_PROFILE && !builtins.has(profile) && !(profile in projectProfiles)) {
    errors.push({
      file: zero ? '--profile' : file,
      line: 1,
      col: 1,
      path: zero ? '' : 'profiles',
      message: `unknown profile "${profile}"`,
      hint: `available profiles: ${available.join(', ')}; a project profile goes under \`profiles:\` in ${STACK_FILE}`,
      severity: 'error',
    });
    return fail();
  }
  // The built-in default profile lies *under* the project's own values (its defaults); a chosen
  // built-in profile (e.g. ci) and then the project's profile of that name lie over them.
  let effective: Raw = { ...raw };
  delete effective.profiles;
  effective = deepMerge(applyProfile({}, builtins.get(DEFAULT_PROFILE)), effective) as Raw;
  if (profile !== DEFAULT_PROFILE) effective = applyProfile(effective, builtins.get(profile));
  effective = applyProfile(effective, projectProfiles[profile]);

  const result = validate(stackSchema, effective, source);
  if (!result.ok) {
    errors.push(...result.errors.map((issue) => ({ ...issue, message: `${issue.message} (with profile ${profile})` })));
    return fail();
  }
  checkStack(result.value, sink);
  if (errors.length > 0) return fail();
  const config = normalizeStack(result.value, {
    project: stackName(options.directoryName),
    file: zero ? undefined : file,
    profile,
    profiles: available,
    declaredAt: (name) => {
      const pos = locateKey(source, ['secrets', name]);
      return `${file}:${pos.line}:${pos.col}`;
    },
  });
  return { ok: true, value: config, warnings };
}
