/** Shared helpers for the GitLab CI spec tests (not a test file: ava runs `*.test.ts` only). */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadGitlabConfig, planPipeline, type Changes, type GitlabConfig, type PipelineInput, type Plan } from '../../../../src/spec/gitlab/index.js';
import type { SpecIssue } from '../../../../src/spec/issues.js';

const root = (p: string) => fileURLToPath(new URL(`../../../../${p}`, import.meta.url));
export const kokkuriText = readFileSync(root('templates/gitlab/kokkuri.yaml'), 'utf8');

export function fixtureFile(name: string, file = '.gitlab-ci.yml'): string | undefined {
  const path = root(`test/fixtures/gitlab/${name}/${file}`);
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export function loadText(text: string, files: Record<string, string> = {}): { ok: true; config: GitlabConfig; warnings: SpecIssue[] } | { ok: false; errors: SpecIssue[]; warnings: SpecIssue[] } {
  const result = loadGitlabConfig({ file: '.gitlab-ci.yml', text, kokkuri: { file: 'devpipe:templates/gitlab/kokkuri.yaml', text: kokkuriText }, readLocal: (p) => files[p] });
  return result.ok ? { ok: true, config: result.value, warnings: result.warnings } : { ok: false, errors: result.errors, warnings: result.warnings };
}

export function load(text: string, files: Record<string, string> = {}): GitlabConfig {
  const result = loadText(text, files);
  if (!result.ok) throw new Error(`expected a valid file, got:\n${result.errors.map((e) => `${e.line}:${e.col} ${e.path} ${e.message}`).join('\n')}`);
  return result.config;
}

export const sha = '0123456789abcdef0123456789abcdef01234567';

/** `push(b, prot)`, `tag(t, prot)`, `mr(src→dst)` of kokkuri.md §4. */
export function push(branch: string, prot: boolean, more: Partial<PipelineInput> = {}): PipelineInput {
  return { source: 'push', branch, protected: prot, defaultBranch: 'main', sha, projectPath: 'repos/test/project', serverFqdn: 'gitlab.wikimedia.org', repositoryUrl: 'https://gitlab.wikimedia.org/repos/test/project.git', startedAt: new Date('2026-11-30T08:00:00Z'), pipelineId: 4242, ...more };
}
export function tag(name: string, prot: boolean, more: Partial<PipelineInput> = {}): PipelineInput {
  return { ...push('', prot, more), branch: undefined, tag: name };
}
export function mr(source: string, target: string, more: Partial<PipelineInput> = {}): PipelineInput {
  return { ...push(source, false, more), source: 'merge_request_event', targetBranch: target };
}

export interface PlanOptions {
  vars?: Record<string, string>;
  changes?: Changes;
  files?: Record<string, string>;
  exists?: string[];
}

export function planFixture(name: string, pipeline: PipelineInput, options: PlanOptions = {}): Plan {
  const config = load(fixtureFile(name)!);
  return planText(config, name, pipeline, options);
}

function planText(config: GitlabConfig, name: string, pipeline: PipelineInput, options: PlanOptions): Plan {
  return planPipeline({
    config,
    pipeline,
    cliVariables: options.vars ?? {},
    changes: options.changes ?? { kind: 'all', reason: 'test' },
    exists: (glob) => (options.exists ?? []).includes(glob),
    readFile: (p) => options.files?.[p] ?? fixtureFile(name, p),
  });
}

export function planOf(config: GitlabConfig, pipeline: PipelineInput, options: PlanOptions = {}): Plan {
  return planText(config, '', pipeline, options);
}

/** `name [stage]` of every job, in file order. */
export function jobList(plan: Plan): string[] {
  return plan.jobs.map((j) => `${j.name} [${j.stage}]`);
}
