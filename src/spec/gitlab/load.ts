/**
 * `.gitlab-ci.yml` → GitlabConfig (kokkuri.md §2.1 steps 1–4): parse, resolve `include:` (Kokkuri
 * from devpipe's shipped description, `local:` files through the reader given, anything else
 * recorded as external), merge included content under the file, resolve `!reference`, `extends`
 * and `default:`, then normalize every visible job. All problems are collected and located.
 */
import type { SpecIssue, SpecResult } from '../issues.js';
import { issueAt, type YamlSource } from '../yaml.js';
import { deepMerge, isMap, resolveExtends, resolveReferences, type MergeProblem, type Raw } from './merge.js';
import { normalizeJob, rulesOf, variablesOf, type Problem } from './normalize.js';
import type { GitlabConfig, IncludeInfo, Job, TemplateDoc } from './types.js';
import { readGitlabYaml } from './yaml.js';

export const reservedKeys = new Set(['include', 'stages', 'variables', 'workflow', 'default', 'image', 'services', 'before_script', 'after_script', 'cache', 'types', 'spec']);
const defaultKeys = ['after_script', 'artifacts', 'before_script', 'cache', 'hooks', 'id_tokens', 'image', 'interruptible', 'retry', 'services', 'tags', 'timeout'];
export const defaultStages = ['.pre', 'build', 'test', 'deploy', '.post'];

export interface LoadInput {
  /** The project's file, as shown in messages. */
  file: string;
  text: string;
  /** devpipe's Kokkuri description (templates/gitlab/kokkuri.yaml). */
  kokkuri: { file: string; text: string };
  /** Reads an `include: local:` file (path relative to the repository root); undefined when missing. */
  readLocal: (path: string) => string | undefined;
}

interface Loaded {
  doc: Raw;
  /** Which source defined each top-level key last (for located errors). */
  owners: Map<string, YamlSource>;
  includes: IncludeInfo[];
  templates: Record<string, TemplateDoc>;
}

const kokkuriProject = /^\/?repos\/releng\/kokkuri\/?$/;
const kokkuriComponent = /\/repos\/releng\/kokkuri\/images(?:@(\S+))?$/;

function includeItems(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function templateDocs(doc: Raw): Record<string, TemplateDoc> {
  const out: Record<string, TemplateDoc> = {};
  for (const [name, job] of Object.entries(doc)) {
    if (!isMap(job) || !isMap(job['x-devpipe'])) continue;
    const x = job['x-devpipe'];
    out[name] = {
      name,
      summary: String(x.summary ?? ''),
      requires: Array.isArray(x.requires) ? x.requires.map(String) : [],
      steps: Array.isArray(x.steps) ? x.steps.map(String) : [],
    };
    delete job['x-devpipe'];
  }
  return out;
}

function collect(input: LoadInput, issues: SpecIssue[], warnings: SpecIssue[]): Loaded | undefined {
  const main = readGitlabYaml(input.text, input.file);
  if (!main.ok) {
    issues.push(...main.errors);
    return undefined;
  }
  warnings.push(...main.yaml.warnings);
  if (!isMap(main.yaml.value)) {
    issues.push({ file: input.file, line: 1, col: 1, path: '', message: 'a .gitlab-ci.yml is a mapping of jobs and keywords', severity: 'error' });
    return undefined;
  }
  const loaded: Loaded = { doc: {}, owners: new Map(), includes: [], templates: {} };
  const add = (value: Raw, source: YamlSource) => {
    for (const key of Object.keys(value)) if (key !== 'include') loaded.owners.set(key, source);
    loaded.doc = deepMerge(loaded.doc, value) as Raw;
  };
  const seen = new Set<string>();
  const include = (owner: Raw, source: YamlSource, depth: number) => {
    includeItems(owner.include).forEach((item, i) => {
      const path = ['include', ...(Array.isArray(owner.include) ? [i] : [])];
      const local = typeof item === 'string' && !/^https?:/.test(item) ? item : isMap(item) && typeof item.local === 'string' ? item.local : undefined;
      if (local !== undefined) {
        const file = local.replace(/^\/+/, '');
        loaded.includes.push({ kind: 'local', text: `local ${file}` });
        if (file.split('/').includes('..')) {
          issues.push(issueAt(source, path, `include: local file ${local} leaves the repository`, { hint: 'local includes are paths inside the repository, from its root' }));
          return;
        }
        if (seen.has(file) || depth > 10) return;
        seen.add(file);
        const text = input.readLocal(file);
        if (text === undefined) {
          issues.push(issueAt(source, path, `include: local file ${file} does not exist`, { hint: 'local includes are paths from the repository root' }));
          return;
        }
        const read = readGitlabYaml(text, file);
        if (!read.ok) issues.push(...read.errors);
        else if (isMap(read.yaml.value)) {
          warnings.push(...read.yaml.warnings);
          include(read.yaml.value, read.yaml.source, depth + 1);
          add(read.yaml.value, read.yaml.source);
        }
        return;
      }
      if (isMap(item) && typeof item.project === 'string' && kokkuriProject.test(item.project.trim())) {
        loaded.includes.push({ kind: 'kokkuri', text: `project ${item.project}, file ${String(item.file ?? '')}`, version: typeof item.ref === 'string' ? item.ref : undefined });
      } else if (isMap(item) && typeof item.component === 'string' && kokkuriComponent.test(item.component)) {
        loaded.includes.push({ kind: 'kokkuri', text: `component ${item.component}`, version: kokkuriComponent.exec(item.component)?.[1] });
      } else {
        const text = isMap(item) ? Object.entries(item).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : String(v)}`).join(', ') : String(item);
        loaded.includes.push({ kind: 'external', text });
        return;
      }
      if (seen.has('kokkuri')) return;
      seen.add('kokkuri');
      const read = readGitlabYaml(input.kokkuri.text, input.kokkuri.file);
      if (!read.ok || !isMap(read.yaml.value)) {
        issues.push(...(read.ok ? [{ file: input.kokkuri.file, line: 1, col: 1, path: '', message: 'the Kokkuri description is not a mapping', severity: 'error' as const }] : read.errors));
        return;
      }
      loaded.templates = { ...loaded.templates, ...templateDocs(read.yaml.value) };
      add(read.yaml.value, read.yaml.source);
    });
  };
  include(main.yaml.value, main.yaml.source, 0);
  add(main.yaml.value, main.yaml.source);
  return loaded;
}

function located(owners: Map<string, YamlSource>, fallback: YamlSource | undefined, file: string, problem: MergeProblem | Problem): SpecIssue {
  const severity = 'severity' in problem && problem.severity === 'warning' ? 'warning' : 'error';
  if ('at' in problem && problem.at) return { ...problem.at, path: problem.path.join('.'), message: problem.message, hint: problem.hint, severity };
  const source = owners.get(String(problem.path[0])) ?? fallback;
  if (!source) return { file, line: 1, col: 1, path: problem.path.join('.'), message: problem.message, hint: problem.hint, severity };
  return issueAt(source, problem.path, problem.message, { hint: problem.hint, severity });
}

export function loadGitlabConfig(input: LoadInput): SpecResult<GitlabConfig> {
  const errors: SpecIssue[] = [];
  const warnings: SpecIssue[] = [];
  const loaded = collect(input, errors, warnings);
  if (!loaded) return { ok: false, errors, warnings };
  const mainSource = loaded.owners.get('stages') ?? [...loaded.owners.values()].at(-1);
  const problems: (MergeProblem | Problem)[] = [];
  const doc = resolveReferences(loaded.doc, problems);
  const defaults: Raw = isMap(doc.default) ? { ...doc.default } : {};
  for (const key of ['image', 'services', 'before_script', 'after_script', 'cache']) if (doc[key] !== undefined && defaults[key] === undefined) defaults[key] = doc[key];

  const stages = Array.isArray(doc.stages) ? ['.pre', ...doc.stages.map(String).filter((s) => s !== '.pre' && s !== '.post'), '.post'] : defaultStages;
  if (doc.stages !== undefined && !Array.isArray(doc.stages)) problems.push({ path: ['stages'], message: 'stages must be a list of stage names' });
  const top = variablesOf(doc.variables, ['variables'], problems);
  const workflow = isMap(doc.workflow) ? rulesOf(doc.workflow.rules, ['workflow', 'rules'], problems, 'workflow') : undefined;
  const externalIncludes = loaded.includes.filter((i) => i.kind === 'external');
  const knownKokkuri = Object.keys(loaded.templates).filter((n) => n.startsWith('.kokkuri:'));

  // devpipe's own description is checked like a job, so a mistake in it is located there.
  for (const name of Object.keys(loaded.templates)) if (isMap(doc[name])) normalizeJob(name, doc[name], problems);
  const jobs: Job[] = [];
  Object.keys(doc).forEach((name, order) => {
    if (reservedKeys.has(name) || name.startsWith('.')) return;
    const value = doc[name];
    if (!isMap(value)) {
      problems.push({ path: [name], message: `job \`${name}\` must be a mapping` });
      return;
    }
    const resolved = resolveExtends(name, doc, problems);
    const external: string[] = [];
    for (const parent of resolved.missing) {
      if (parent.startsWith('.kokkuri:') && knownKokkuri.length > 0) {
        problems.push({ path: [name, 'extends'], message: `\`${parent}\` is not a Kokkuri template devpipe knows`, hint: `the known templates: ${knownKokkuri.join(', ')}` });
      } else if (externalIncludes.length > 0) external.push(parent);
      else problems.push({ path: [name, 'extends'], message: `job \`${name}\` extends \`${parent}\`, which is not defined`, hint: parent.startsWith('.kokkuri:') ? "include Kokkuri: include: [{project: 'repos/releng/kokkuri', file: 'includes/images.yaml'}]" : 'define the hidden job, or include the file that defines it' });
    }
    let merged = resolved.merged;
    for (const key of defaultKeys) if (merged[key] === undefined && defaults[key] !== undefined) merged = { ...merged, [key]: defaults[key] };
    const job = normalizeJob(name, merged, problems);
    if (!stages.includes(job.stage)) problems.push({ path: [name, 'stage'], message: `job \`${name}\`: stage \`${job.stage}\` is not in stages (${stages.filter((s) => !s.startsWith('.')).join(', ')})`, hint: 'add it to the top-level `stages:` list' });
    if (job.script.length === 0 && external.length === 0 && resolved.missing.length === 0) {
      problems.push({ path: [name], message: `job \`${name}\` has no script`, hint: 'a job needs `script:` (or extends a template that has one, such as .kokkuri:build-image)' });
    }
    if (job.kokkuri) {
      const doc = loaded.templates[`.kokkuri:${job.kokkuri}`];
      for (const required of doc?.requires ?? []) {
        if (job.variables[required] === undefined && top.values[required] === undefined) problems.push({ path: [name, 'variables'], message: `job \`${name}\` (.kokkuri:${job.kokkuri}) needs the variable ${required}` });
      }
    }
    jobs.push({ ...job, name, order, external, extends: resolved.chain, origin: { file: loaded.owners.get(name)?.file ?? input.file, path: [name] } });
  });
  for (const problem of problems) {
    const issue = located(loaded.owners, mainSource, input.file, problem);
    (issue.severity === 'warning' ? warnings : errors).push(issue);
  }
  if (jobs.length === 0 && errors.length === 0) errors.push({ file: input.file, line: 1, col: 1, path: '', message: 'the file defines no visible job', hint: 'jobs are top-level keys that do not start with `.`', severity: 'error' });
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, value: { file: input.file, stages, variables: top.values, raw: top.raw, workflow, jobs, includes: loaded.includes, templates: loaded.templates }, warnings };
}
