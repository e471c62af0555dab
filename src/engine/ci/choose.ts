/**
 * Which CI definition `devpipe ci` runs: `.pipeline/config.yaml` (PipelineLib) when present,
 * `.gitlab-ci.yml` (GitLab CI with Kokkuri) when not; `--ci gitlab|pipelinelib` chooses when both
 * exist. GitLab-only flags (`--plan`, `--source`, …) choose GitLab when `--ci` is not given.
 */
import { DevpipeError } from '../../errors.js';
import type { ProjectReader } from '../project/workspace.js';

export type CiKind = 'gitlab' | 'pipelinelib';

export const gitlabOnlyFlags = ['plan', 'source', 'branch', 'tag', 'targetBranch', 'defaultBranch', 'protected', 'var', 'projectPath', 'changed', 'changesFrom', 'run'] as const;

/** `options`: the command's options (`ci`, and the GitLab-only flags; empty repeatable defaults do not count). */
export async function chooseCi(reader: Pick<ProjectReader, 'kind'>, options: { ci?: string | undefined } & Partial<Record<(typeof gitlabOnlyFlags)[number], unknown>>): Promise<{ kind: CiKind; note?: string }> {
  const asked = options.ci;
  const gitlabFlags = gitlabOnlyFlags.filter((f) => options[f] !== undefined && !(Array.isArray(options[f]) && (options[f] as unknown[]).length === 0)).map((f) => f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  if (asked !== undefined && asked !== 'gitlab' && asked !== 'pipelinelib') throw new DevpipeError('usage', `--ci must be gitlab or pipelinelib, got "${asked}"`);
  const hasPipelinelib = (await reader.kind('.pipeline/config.yaml')) !== undefined;
  const hasGitlab = (await reader.kind('.gitlab-ci.yml')) !== undefined;
  if (asked === 'pipelinelib' && gitlabFlags.length > 0) throw new DevpipeError('usage', `--${gitlabFlags[0]} applies to GitLab CI (.gitlab-ci.yml), not to --ci pipelinelib`);
  if (asked) return { kind: asked };
  if (hasPipelinelib && hasGitlab) {
    if (gitlabFlags.length > 0) return { kind: 'gitlab' };
    return { kind: 'pipelinelib', note: 'both .pipeline/config.yaml and .gitlab-ci.yml exist: running the PipelineLib pipelines (devpipe ci --ci gitlab runs the GitLab CI jobs)' };
  }
  if (hasGitlab || (!hasPipelinelib && gitlabFlags.length > 0)) return { kind: 'gitlab' };
  return { kind: 'pipelinelib' };
}
