/** Shared helpers for the pipeline spec tests (not a test file: ava runs `*.test.ts` only). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SpecIssue } from '../../../../src/spec/issues.js';
import { loadPipelineConfig, type PipelineConfig } from '../../../../src/spec/pipeline/index.js';

export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../../fixtures/pipeline/${name}`, import.meta.url)), 'utf8');
}

/** Loads YAML that must be valid; fails loudly with the issues otherwise. */
export function load(text: string, file = 'config.yaml'): PipelineConfig {
  const result = loadPipelineConfig(text, file);
  if (!result.ok) throw new Error(`expected a valid config, got:\n${result.errors.map((e) => `${e.line}:${e.col} ${e.path} ${e.message}`).join('\n')}`);
  return result.value;
}

/** Loads YAML that must be invalid and returns its errors. */
export function errorsOf(text: string, file = 'config.yaml'): SpecIssue[] {
  const result = loadPipelineConfig(text, file);
  if (result.ok) throw new Error('expected errors, the config is valid');
  return result.errors;
}

export function warningsOf(text: string): SpecIssue[] {
  return loadPipelineConfig(text, 'config.yaml').warnings;
}

/** `line:col path: message` — the shape asserted by the validation tests. */
export function where(issue: SpecIssue): string {
  return `${issue.file}:${issue.line}:${issue.col} ${issue.path}`;
}

/** A one-pipeline config from stage YAML lines (indented under `stages:`). */
export function stagesYaml(stages: string, extra = ''): string {
  const body = stages
    .trim()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  return `pipelines:\n  p:\n    blubberfile: blubber.yaml\n    stages:\n${body}\n${extra}`;
}
