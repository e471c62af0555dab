/** Turning errors found while a stage runs into located spec issues. */
import type { SpecIssue } from '../issues.js';
import { issueAt } from '../yaml.js';
import type { InterpolationError } from './bindings.js';
import type { PipelineConfig } from './types.js';

/** A located issue for an InterpolationError (at its field, or at `fallback` — e.g. the stage). */
export function interpolationIssue(config: PipelineConfig, error: InterpolationError, fallback: readonly (string | number)[] = []): SpecIssue {
  return issueAt(config.source, error.path ?? fallback, error.message, { hint: error.hint });
}
