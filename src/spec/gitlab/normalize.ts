/**
 * One merged job (after `!reference`, `extends` and `default:`) → the typed Job, collecting every
 * problem with the key path it belongs to. Keys GitLab has but devpipe does not model are either
 * reported (runner-facing keys, kept for the plan) or rejected as "not supported by devpipe".
 */
import { parse, ExprError } from './expr.js';
import { isMap, type Raw } from './merge.js';
import type { Artifacts, Job, KokkuriTemplate, Need, Rule, When } from './types.js';
import { whens } from './types.js';

export interface Problem {
  path: (string | number)[];
  message: string;
  hint?: string | undefined;
  severity?: 'error' | 'warning';
}

const kokkuriScript = /^devpipe-kokkuri (build-image|build-and-run-image|build-and-publish-image|bake)$/;

/** Keys a job may have that devpipe does not run, only reports (kokkuri.md §2.12). */
const reportedKeys = new Set(['tags', 'environment', 'coverage', 'allow_failure', 'interruptible', 'retry', 'timeout', 'resource_group', 'cache', 'id_tokens', 'hooks', 'release', 'pages', 'secrets', 'dependencies', 'start_in']);
const modelledKeys = new Set(['stage', 'rules', 'when', 'needs', 'variables', 'image', 'script', 'before_script', 'after_script', 'parallel', 'artifacts', 'services', 'extends']);
const unsupportedKeys: Record<string, string> = {
  only: 'use `rules:` instead (GitLab deprecated only/except)',
  except: 'use `rules:` instead (GitLab deprecated only/except)',
  trigger: 'child and multi-project pipelines are not run by devpipe',
  inherit: '`inherit:` is not modelled; every default applies',
};

export function variablesOf(value: unknown, path: (string | number)[], problems: Problem[]): { values: Record<string, string>; raw: Set<string> } {
  const values: Record<string, string> = {};
  const raw = new Set<string>();
  if (value === undefined || value === null) return { values, raw };
  if (!isMap(value)) {
    problems.push({ path, message: 'variables must be a mapping of NAME: value' });
    return { values, raw };
  }
  for (const [name, v] of Object.entries(value)) {
    if (!/^[A-Za-z0-9_]+$/.test(name)) problems.push({ path: [...path, name], message: `variable name \`${name}\` may use only letters, digits and _` });
    if (isMap(v)) {
      values[name] = scalarText(v.value);
      if (v.expand === false) raw.add(name);
    } else if (Array.isArray(v)) problems.push({ path: [...path, name], message: `variable \`${name}\` must be a string, not a list` });
    else values[name] = scalarText(v);
  }
  return { values, raw };
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

function stringList(value: unknown, path: (string | number)[], problems: Problem[], what: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) {
    const out: string[] = [];
    value.forEach((item, i) => {
      if (Array.isArray(item)) out.push(...stringList(item, [...path, i], problems, what));
      else if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') out.push(String(item));
      else if (item !== null) problems.push({ path: [...path, i], message: `${what} items must be strings` });
    });
    return out;
  }
  problems.push({ path, message: `${what} must be a string or a list of strings` });
  return [];
}

function whenOf(value: unknown, path: (string | number)[], problems: Problem[]): When | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && (whens as readonly string[]).includes(value)) return value as When;
  problems.push({ path, message: `when must be one of ${whens.join(', ')}, got ${JSON.stringify(value)}` });
  return undefined;
}

export function rulesOf(value: unknown, path: (string | number)[], problems: Problem[], where: string): Rule[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.push({ path, message: 'rules must be a list of rules' });
    return undefined;
  }
  const rules: Rule[] = [];
  value.forEach((item, i) => {
    const at = [...path, i];
    if (!isMap(item)) {
      problems.push({ path: at, message: `${where}, rule ${i + 1}: a rule is a mapping (if:, changes:, exists:, when:)` });
      return;
    }
    for (const key of Object.keys(item)) {
      if (!['if', 'changes', 'exists', 'when', 'allow_failure', 'variables', 'needs', 'start_in', 'interruptible'].includes(key)) problems.push({ path: [...at, key], message: `${where}, rule ${i + 1}: unknown rule key \`${key}\`` });
    }
    const rule: Rule = { index: i + 1, variables: variablesOf(item.variables, [...at, 'variables'], problems).values };
    if (item.if !== undefined) {
      if (typeof item.if !== 'string') problems.push({ path: [...at, 'if'], message: `${where}, rule ${i + 1}: if must be a string` });
      else {
        rule.if = item.if;
        try {
          parse(item.if);
        } catch (error) {
          if (!(error instanceof ExprError)) throw error;
          problems.push({ path: [...at, 'if'], message: `${where}, rule ${i + 1}: invalid expression \`${item.if}\`: ${error.message}`, hint: 'GitLab rejects the whole pipeline for an invalid rule; patterns are /regex/ with at least two characters' });
        }
      }
    }
    const changes = isMap(item.changes) ? item.changes.paths : item.changes;
    if (item.changes !== undefined) rule.changes = stringList(changes, [...at, 'changes'], problems, 'changes');
    if (item.exists !== undefined) rule.exists = stringList(isMap(item.exists) ? item.exists.paths : item.exists, [...at, 'exists'], problems, 'exists');
    rule.when = whenOf(item.when, [...at, 'when'], problems);
    if (typeof item.allow_failure === 'boolean') rule.allowFailure = item.allow_failure;
    rules.push(rule);
  });
  return rules;
}

function needsOf(value: unknown, path: (string | number)[], problems: Problem[]): Need[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.push({ path, message: 'needs must be a list' });
    return undefined;
  }
  const out: Need[] = [];
  value.forEach((item, i) => {
    if (typeof item === 'string') out.push({ job: item, optional: false, artifacts: true });
    else if (isMap(item) && typeof item.job === 'string') {
      if (item.pipeline !== undefined || item.project !== undefined) problems.push({ path: [...path, i], message: 'needs from another pipeline or project are not supported by devpipe' });
      out.push({ job: item.job, optional: item.optional === true, artifacts: item.artifacts !== false });
    } else problems.push({ path: [...path, i], message: 'a need is a job name or {job: NAME, optional: true|false}' });
  });
  return out;
}

function artifactsOf(value: unknown, path: (string | number)[], problems: Problem[]): Artifacts {
  const out: Artifacts = { paths: [], reports: {} };
  if (!isMap(value)) return out;
  out.paths = stringList(value.paths, [...path, 'paths'], problems, 'artifacts:paths');
  if (typeof value.when === 'string') out.when = value.when;
  if (isMap(value.reports)) {
    for (const [kind, report] of Object.entries(value.reports)) {
      out.reports[kind] = isMap(report) ? stringList(report.path, [...path, 'reports', kind, 'path'], problems, kind) : stringList(report, [...path, 'reports', kind], problems, kind);
    }
  }
  return out;
}

function matrixOf(value: unknown, path: (string | number)[], problems: Problem[]): { matrix?: Record<string, string[]>[]; parallel?: number } {
  if (value === undefined || value === null) return {};
  if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value))) {
    const n = Number(value);
    if (n < 1 || n > 200) problems.push({ path, message: 'parallel must be between 1 and 200' });
    return { parallel: n };
  }
  if (!isMap(value) || !Array.isArray(value.matrix)) {
    problems.push({ path, message: 'parallel is a number or {matrix: [ {VAR: [values]} ]}' });
    return {};
  }
  const matrix: Record<string, string[]>[] = [];
  value.matrix.forEach((entry, i) => {
    if (!isMap(entry)) {
      problems.push({ path: [...path, 'matrix', i], message: 'each matrix entry is a mapping VAR: value or [values]' });
      return;
    }
    const row: Record<string, string[]> = {};
    for (const [name, v] of Object.entries(entry)) row[name] = Array.isArray(v) ? v.map((x) => scalarText(x)) : [scalarText(v)];
    matrix.push(row);
  });
  return { matrix };
}

/** A job as written, normalized: everything of a `Job` but what the loader adds (name, order, origin, extends). */
export type NormalizedJob = Omit<Job, 'name' | 'order' | 'external' | 'extends' | 'origin'>;

export function normalizeJob(name: string, job: Raw, problems: Problem[]): NormalizedJob {
  const path = [name];
  for (const key of Object.keys(job)) {
    if (unsupportedKeys[key]) problems.push({ path: [name, key], message: `\`${key}\` is not supported by devpipe`, hint: unsupportedKeys[key] });
    else if (!modelledKeys.has(key) && !reportedKeys.has(key) && key !== 'x-devpipe') problems.push({ path: [name, key], message: `unknown job key \`${key}\``, severity: 'warning' });
  }
  const { values, raw } = variablesOf(job.variables, [name, 'variables'], problems);
  const script = stringList(job.script, [name, 'script'], problems, 'script');
  const marker = script.length === 1 ? kokkuriScript.exec(script[0]!) : null;
  let image: NormalizedJob['image'];
  if (typeof job.image === 'string') image = { name: job.image };
  else if (isMap(job.image) && typeof job.image.name === 'string') image = { name: job.image.name, entrypoint: stringList(job.image.entrypoint, [name, 'image', 'entrypoint'], problems, 'entrypoint') };
  else if (job.image !== undefined && job.image !== null) problems.push({ path: [name, 'image'], message: 'image is a name or {name: NAME, entrypoint: [...]}' });
  const stage = job.stage ?? 'test';
  if (typeof stage !== 'string') problems.push({ path: [name, 'stage'], message: 'stage must be a string' });
  const environment = isMap(job.environment) ? job.environment.name : job.environment;
  return {
    stage: String(stage),
    rules: rulesOf(job.rules, [...path, 'rules'], problems, `job \`${name}\``),
    when: whenOf(job.when, [name, 'when'], problems) ?? 'on_success',
    allowFailure: job.allow_failure === true || isMap(job.allow_failure),
    needs: needsOf(job.needs, [name, 'needs'], problems),
    dependencies: job.dependencies === undefined ? undefined : stringList(job.dependencies, [name, 'dependencies'], problems, 'dependencies'),
    variables: values,
    raw,
    image,
    script,
    beforeScript: stringList(job.before_script, [name, 'before_script'], problems, 'before_script'),
    afterScript: stringList(job.after_script, [name, 'after_script'], problems, 'after_script'),
    ...matrixOf(job.parallel, [name, 'parallel'], problems),
    artifacts: artifactsOf(job.artifacts, [name, 'artifacts'], problems),
    tags: stringList(job.tags, [name, 'tags'], problems, 'tags'),
    environment: typeof environment === 'string' ? environment : undefined,
    coverage: typeof job.coverage === 'string' ? job.coverage : undefined,
    services: stringList(Array.isArray(job.services) ? job.services.map((s) => (isMap(s) ? s.name : s)) : job.services, [name, 'services'], problems, 'services'),
    kokkuri: marker ? (marker[1] as KokkuriTemplate) : undefined,
  };
}
