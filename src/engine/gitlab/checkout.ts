/**
 * The pipeline a GitLab run stands for (kokkuri.md §2.6): git facts of the local checkout (HEAD,
 * branch, a tag at HEAD, the origin remote → project path and server, origin's default branch,
 * the files changed by the last commit, the tracked files for `exists`), overridden by flags.
 * Everything assumed is said, so the plan is never silently wrong.
 */
import path from 'node:path';
import { DevpipeError } from '../../errors.js';
import type { ProcessRunner } from '../../ports.js';
import { pipelineSources, type Changes, type PipelineInput, type PipelineSource } from '../../spec/gitlab/index.js';
import { git } from '../ci/checkout.js';

export interface CheckoutFlags {
  source?: string | undefined;
  branch?: string | undefined;
  tag?: string | undefined;
  targetBranch?: string | undefined;
  defaultBranch?: string | undefined;
  protected?: boolean | undefined;
  projectPath?: string | undefined;
  changed?: string[] | undefined;
  changesFrom?: string | undefined;
  vars: Record<string, string>;
}

export interface GitlabCheckout {
  pipeline: PipelineInput;
  changes: Changes;
  files: string[];
  assumptions: string[];
}


/** `https://host/a/b.git`, `git@host:a/b.git`, `ssh://git@host:22/a/b` → host and path. */
export function parseRemote(url: string): { host: string; path: string } | undefined {
  const scp = /^[^@/\s]+@([^:/\s]+):(.+?)(?:\.git)?\/?$/.exec(url);
  if (scp) return { host: scp[1]!, path: scp[2]!.replace(/^\/+/, '') };
  const full = /^[a-z+]+:\/\/(?:[^@/]+@)?([^/:]+)(?::\d+)?\/(.+?)(?:\.git)?\/?$/.exec(url);
  if (full) return { host: full[1]!, path: full[2]!.replace(/^r\//, '') };
  return undefined;
}

export async function readGitlabCheckout(proc: ProcessRunner, dir: string, flags: CheckoutFlags, startedAt: Date): Promise<GitlabCheckout> {
  const assumptions: string[] = [];
  const sourceFlag = flags.source ?? (flags.tag !== undefined ? 'tag' : 'push');
  if (!pipelineSources.includes(sourceFlag)) throw new DevpipeError('usage', `--source must be one of ${pipelineSources.join(', ')}, got "${sourceFlag}"`);
  const sha = (await git(proc, dir, ['rev-parse', 'HEAD'])) ?? '0'.repeat(40);
  if (/^0+$/.test(sha)) assumptions.push(`${dir} is not a git checkout with a commit: CI_COMMIT_SHA is all zeros`);
  const currentBranch = await git(proc, dir, ['symbolic-ref', '--short', '-q', 'HEAD']);
  const headTag = ((await git(proc, dir, ['tag', '--points-at', 'HEAD'])) ?? '').split('\n')[0] || undefined;
  const remotes = ((await git(proc, dir, ['remote'])) ?? '').split('\n').filter(Boolean);
  const remoteName = remotes.includes('origin') ? 'origin' : remotes[0];
  const remoteUrl = remoteName ? await git(proc, dir, ['remote', 'get-url', remoteName]) : undefined;
  const remote = remoteUrl ? parseRemote(remoteUrl) : undefined;
  let projectPath = flags.vars.CI_PROJECT_PATH ?? flags.projectPath ?? remote?.path;
  if (projectPath === undefined) {
    projectPath = path.basename(dir);
    assumptions.push(`no git remote: CI_PROJECT_PATH is assumed to be \`${projectPath}\` (pass --project-path or --var CI_PROJECT_PATH=...)`);
  }
  let defaultBranch = flags.vars.CI_DEFAULT_BRANCH ?? flags.defaultBranch;
  if (defaultBranch === undefined) {
    const originHead = await git(proc, dir, ['symbolic-ref', '--short', '-q', `refs/remotes/${remoteName ?? 'origin'}/HEAD`]);
    defaultBranch = originHead?.replace(/^[^/]+\//, '');
    if (!defaultBranch) {
      const hasMaster = (await git(proc, dir, ['rev-parse', '--verify', '-q', 'refs/heads/master'])) !== undefined;
      const hasMain = (await git(proc, dir, ['rev-parse', '--verify', '-q', 'refs/heads/main'])) !== undefined;
      defaultBranch = hasMaster && !hasMain ? 'master' : 'main';
      assumptions.push(`the default branch is assumed to be \`${defaultBranch}\` (pass --default-branch)`);
    }
  }
  const source = (sourceFlag === 'tag' ? 'push' : sourceFlag) as PipelineSource;
  let tag = flags.tag;
  let branch = flags.branch;
  if (sourceFlag === 'tag' && tag === undefined) {
    tag = headTag;
    if (tag === undefined) throw new DevpipeError('usage', '--source tag needs a tag: HEAD has none', { hint: 'name it: --tag v1.2.3' });
  }
  if (tag === undefined) {
    branch ??= currentBranch;
    if (branch === undefined) {
      branch = defaultBranch;
      assumptions.push(`HEAD is detached: the pipeline is for branch \`${branch}\` (pass --branch or --tag)`);
    }
  } else branch = undefined;
  const isProtected = flags.vars.CI_COMMIT_REF_PROTECTED !== undefined ? flags.vars.CI_COMMIT_REF_PROTECTED === 'true' : (flags.protected ?? (tag !== undefined || branch === defaultBranch));
  const pipeline: PipelineInput = {
    source: (flags.vars.CI_PIPELINE_SOURCE as PipelineSource | undefined) ?? source,
    branch,
    tag,
    targetBranch: flags.targetBranch,
    defaultBranch,
    protected: isProtected,
    sha,
    projectPath,
    serverFqdn: remote?.host ?? 'gitlab.wikimedia.org',
    repositoryUrl: remoteUrl ?? `file://${dir}`,
    startedAt,
    pipelineId: Math.floor(startedAt.getTime() / 1000) % 10_000_000,
  };
  let changes: Changes;
  if (flags.changed && flags.changed.length > 0) changes = { kind: 'files', files: flags.changed, from: '--changed' };
  else if (pipeline.source !== 'push' || tag !== undefined) changes = { kind: 'all', reason: `a ${tag !== undefined ? 'tag' : pipeline.source} pipeline` };
  else {
    const from = flags.changesFrom ?? 'HEAD~1';
    const diff = await git(proc, dir, ['diff', '--name-only', from, 'HEAD']);
    changes = diff === undefined ? { kind: 'all', reason: `a new branch (no ${from} to compare with)` } : { kind: 'files', files: diff.split('\n').filter(Boolean), from };
  }
  const listed = await git(proc, dir, ['ls-files', '--cached', '--others', '--exclude-standard']);
  return { pipeline, changes, files: listed ? listed.split('\n').filter(Boolean) : [], assumptions };
}
