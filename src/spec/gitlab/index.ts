/** GitLab CI (Kokkuri) reading and planning for `devpipe ci` in GitLab mode. Pure. */
export * from './types.js';
export { loadGitlabConfig, type LoadInput } from './load.js';
export { planPipeline, instancesOf, type Plan, type PlannedJob, type SkippedJob, type PlanInput, type JobKind } from './plan.js';
export { evaluateIf, parse as parseExpression, ExprError } from './expr.js';
export { predefinedVariables, jobVariables, expand, resolveVariables, runtimeValues, referencedNames, pipelineSources, pipelineTimestamp, type PipelineInput, type PipelineSource } from './variables.js';
export { kokkuriAction, KokkuriError, dotenvPrefix, localRegistry, type KokkuriAction } from './kokkuri.js';
export { globToRegExp, matchesAny } from './glob.js';
export type { Changes } from './rules.js';
export { planText } from './plan-text.js';
