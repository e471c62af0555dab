/** Shared helpers of the Blubber and compile unit tests (not a test file: no `.test.ts`). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileVariant, type CompiledBuild, type CompileOptions } from '../../../../src/compile/index.js';
import { expandVariant, loadBlubber, type BlubberConfig, type ExpandedVariant } from '../../../../src/spec/blubber/index.js';
import { formatIssue, type SpecIssue } from '../../../../src/spec/issues.js';

export const fixturesDir = fileURLToPath(new URL('../../../fixtures/blubber/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(`${fixturesDir}${name}`, 'utf8');
}

/** Loads YAML text that must be valid. */
export function load(text: string, file = 'blubber.yaml'): BlubberConfig {
  const result = loadBlubber(text, file);
  if (!result.ok) throw new Error(`expected a valid Blubber file:\n${result.errors.map(formatIssue).join('\n')}`);
  return result.value;
}

/** Loads YAML text that must be invalid; returns its errors. */
export function errorsOf(text: string, file = 'blubber.yaml'): SpecIssue[] {
  const result = loadBlubber(text, file);
  if (result.ok) throw new Error('expected the Blubber file to be rejected');
  return result.errors;
}

export function expand(text: string, variant: string): ExpandedVariant {
  const result = expandVariant(load(text), variant);
  if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
  return result.value;
}

export function compile(text: string, variant: string, options: CompileOptions = {}): CompiledBuild {
  const result = compileVariant(load(text), variant, options);
  if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
  return result.value;
}

/** The rendered lines of the final stage only (from FROM to the blank line). */
export function finalStageLines(build: CompiledBuild): string[] {
  const stages = build.dockerfile.split('\n\n');
  return (stages[stages.length - 2] ?? '').split('\n');
}

/** Compact one-line form of issues for assertions: `line:col path: message`. */
export function brief(issues: readonly SpecIssue[]): string[] {
  return issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
}

/** A minimal valid v4 document around some variants (YAML text). */
export function doc(body: string): string {
  return `version: v4\nbase: debian:bookworm\n${body}`;
}
