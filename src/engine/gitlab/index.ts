/** `devpipe ci`'s engine for GitLab CI (Kokkuri) pipelines. */
export { runGitlabPipeline, parseDotenv, planTasks, PIPELINE_KEY, type GitlabOutcome } from './runner.js';
export { executionOrder, rerunJobs, blockedBy, predecessors, dotenvSources } from './order.js';
export type { GitlabPorts, GitlabRun, GitlabRunOptions } from './state.js';
