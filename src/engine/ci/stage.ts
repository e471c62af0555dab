/**
 * One stage: bind `stage`, then its steps in PipelineLib's fixed order (build → run → copy →
 * publish → promote → deploy → exports → trigger). The first error ends the stage as failed; the
 * notify CI would have sent is reported. A deploy that cannot run locally leaves the stage
 * "incomplete", never "passed".
 */
import { DevpipeError } from '../../errors.js';
import { formatIssue, SpecError } from '../../spec/issues.js';
import { bindExports, InterpolationError, interpolationIssue, stageSteps, type Stage, type StageContext, type StepKind } from '../../spec/pipeline/index.js';
import type { StageResult, StepOutcome } from './record.js';
import { buildStep } from './step-build.js';
import { deployStep, notifyOutcome, promoteStep, triggerStep } from './step-external.js';
import { publishStep } from './step-publish.js';
import { copyStep, runStep } from './step-run.js';
import { redact } from './secrets.js';
import { now, taskId, type RunState } from './state.js';

async function runOne(state: RunState, stage: Stage, ctx: StageContext, kind: StepKind, result: StageResult): Promise<StepOutcome> {
  switch (kind) {
    case 'build': {
      const outcome = await buildStep(state, stage, ctx);
      const bound = ctx.own('imageID');
      if (bound.found) result.imageId = String(bound.value);
      return outcome;
    }
    case 'run':
      return runStep(state, stage, ctx);
    case 'copy':
      return copyStep(state, stage, ctx);
    case 'publish': {
      const { outcome, refs } = await publishStep(state, stage, ctx);
      result.published.push(...refs);
      return outcome;
    }
    case 'promote':
      return promoteStep(stage, ctx);
    case 'deploy':
      return deployStep(state, stage, ctx);
    case 'exports':
      result.exports = bindExports(stage, ctx);
      return { step: 'exports', status: 'ok', detail: Object.keys(result.exports).join(', ') };
    case 'trigger':
      return triggerStep(stage, ctx);
  }
}

/** The message of a stage error: interpolation errors located in config.yaml, spec errors with their issues. */
export function describeError(state: RunState, stage: Stage, error: unknown): { text: string; kind: string } {
  if (error instanceof InterpolationError) return { text: formatIssue(interpolationIssue(state.config, error, stage.path)), kind: 'spec' };
  if (error instanceof SpecError) return { text: error.issues.map(formatIssue).join('\n'), kind: 'spec' };
  if (error instanceof DevpipeError) {
    const details = error.details.length > 0 ? `\n${error.details.join('\n')}` : '';
    return { text: `${error.message}${details}${error.hint ? `\nhint: ${error.hint}` : ''}`, kind: error.kind };
  }
  return { text: error instanceof Error ? error.message : String(error), kind: 'internal' };
}

/** Secret values never reach the summary: exported values and error texts are redacted. */
function hideSecrets(state: RunState, result: StageResult): void {
  if (state.secrets.length === 0) return;
  if (result.error) result.error = redact(result.error, state.secrets);
  for (const [key, value] of Object.entries(result.exports)) if (typeof value === 'string') result.exports[key] = redact(value, state.secrets);
}

export async function runStage(state: RunState, stage: Stage): Promise<StageResult> {
  const started = now(state);
  const id = taskId(state, stage.name);
  const result: StageResult = { stage: stage.name, status: 'passed', durationMs: 0, published: [], exports: {}, steps: [] };
  state.bus.emit('task:start', { id, title: stage.name });
  const ctx = state.bindings.of(stage.name);
  try {
    ctx.bind('stage', stage.name);
    for (const [kind] of stageSteps(stage)) {
      if (state.options.signal?.aborted) throw new DevpipeError('interrupted', 'interrupted');
      const outcome = await runOne(state, stage, ctx, kind, result);
      result.steps.push(outcome);
      if (outcome.detail) state.bus.emit('task:log', { id, line: `${outcome.step}: ${outcome.detail}` });
      if (kind === 'deploy' && outcome.status === 'not-run-locally') result.status = 'incomplete';
    }
  } catch (error) {
    const { text, kind } = describeError(state, stage, error);
    result.status = kind === 'interrupted' || state.options.signal?.aborted ? 'interrupted' : 'failed';
    result.error = text;
    result.errorKind = kind;
    const notify = notifyOutcome(stage, ctx);
    if (notify) result.steps.push(notify);
    state.bus.emit('task:log', { id, line: `error: ${text.split('\n')[0]}` });
    if (notify?.detail) state.bus.emit('task:log', { id, line: `notify: ${notify.detail}` });
  }
  result.durationMs = now(state) - started;
  hideSecrets(state, result);
  const cached = result.status === 'passed' && result.steps.some((s) => s.cached === true);
  if (cached) result.cached = true;
  const detail = cached ? 'passed before with the same inputs: not run again' : result.status === 'incomplete' ? 'incomplete: deploy needs the minikube target (--target minikube)' : result.status === 'failed' || result.status === 'interrupted' ? result.error?.split('\n')[0] : undefined;
  state.bus.emit('task:end', { id, status: cached ? 'cached' : result.status === 'passed' || result.status === 'incomplete' ? 'ok' : 'failed', durationMs: result.durationMs, detail });
  return result;
}
