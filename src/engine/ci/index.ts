/** `devpipe ci`'s engine: run PipelineLib pipelines locally through ports. */
export * from './ports.js';
export * from './record.js';
export * from './secrets.js';
export { runPipeline, runExitCode, runStatus, planTasks, type PipelineRun, type PipelineOutcome } from './runner.js';
export { teardown, type TeardownReport } from './teardown.js';
export { sanitizeDestination, copySource, tailOutput } from './step-run.js';
export { contextPath, isUrlContext } from './step-build.js';
export { pushRef } from './step-publish.js';
export type { CiRunOptions } from './state.js';
export { sweepAbandonedRuns, LABEL_OWNER_HOST, LABEL_OWNER_PID, type OwnerCheck, type RunOwner, type SweepResult } from './sweep.js';
