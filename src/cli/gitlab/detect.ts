/**
 * Which CI definition `devpipe ci` runs: `.pipeline/config.yaml` (PipelineLib) when present,
 * `.gitlab-ci.yml` (GitLab CI with Kokkuri) when not; `--ci gitlab|pipelinelib` chooses when both
 * exist. GitLab-only flags (`--plan`, `--source`, …) choose GitLab when `--ci` is not given.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DevpipeError } from '../../errors.js';

export type CiKind = 'gitlab' | 'pipelinelib';

export const gitlabOnlyFlags = ['plan', 'source', 'branch', 'tag', 'targetBranch', 'defaultBranch', 'protected', 'var', 'projectPath', 'changed', 'changesFrom', 'run'] as const;

export function chooseCi(projectDir: string, options: Record<string, unknown>): { kind: CiKind; note?: string } {
  const asked = options.ci as string | undefined;
  if (asked !== undefined && asked !== 'gitlab' && asked !== 'pipelinelib') throw new DevpipeError('usage', `--ci must be gitlab or pipelinelib, got "${asked}"`);
  const hasPipelinelib = existsSync(path.join(projectDir, '.pipeline', 'config.yaml'));
  const hasGitlab = existsSync(path.join(projectDir, '.gitlab-ci.yml'));
  const gitlabFlags = gitlabOnlyFlags.filter((f) => options[f] !== undefined && !(Array.isArray(options[f]) && (options[f] as unknown[]).length === 0));
  if (asked === 'pipelinelib' && gitlabFlags.length > 0) {
    throw new DevpipeError('usage', `--${gitlabFlags[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to GitLab CI (.gitlab-ci.yml), not to --ci pipelinelib`);
  }
  if (asked) return { kind: asked };
  if (hasPipelinelib && hasGitlab) {
    if (gitlabFlags.length > 0) return { kind: 'gitlab' };
    return { kind: 'pipelinelib', note: 'both .pipeline/config.yaml and .gitlab-ci.yml exist: running the PipelineLib pipelines (devpipe ci --ci gitlab runs the GitLab CI jobs)' };
  }
  if (hasGitlab || (!hasPipelinelib && gitlabFlags.length > 0)) return { kind: 'gitlab' };
  return { kind: 'pipelinelib' };
}
