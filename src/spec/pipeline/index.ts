/** PipelineLib `.pipeline/config.yaml`: the public surface for the CLI and the runner. */
export { loadPipelineConfig, type LoadOptions } from './load.js';
export { selectPipelines, skippedLines, skipReason, type Selection, type SkippedPipeline } from './select.js';
export * from './types.js';
export { blubberFilesNeeded, missingBlubberFiles, blubberRepoPath, type BlubberFileNeed } from './blubberfiles.js';
export { allowedActions, checkMode, isMode, modes, refusedActions, type Mode, type RefusedAction } from './modes.js';
export { ExecutionGraph, CycleError, executionGraph, pipelineGraph, stageFrames, ancestorsOf, graphText, graphDot } from './graph.js';
export { tokenize, splitName, LexerError, type Token, type VariableToken, type LiteralToken } from './lexer.js';
export { Bindings, StageContext, InterpolationError, stepBindings, setupKeys, type InterpolationErrorCode } from './bindings.js';
export { interpolate, interpolateString, groovyString, mergeValues, tokenizeBy } from './interpolate.js';
export * from './resolve.js';
export * from './images.js';
export { setupValues, bindSetup, type SetupInput } from './setup.js';
export { interpolationIssue } from './issues.js';
export { containerReaders } from './refs.js';
