/**
 * `setup.*` inputs from the local checkout (reference §2.3, §7.1): remote URL → project and short
 * name, HEAD commit, branch, a tag pointing at HEAD, plus `--param K=V`. When the directory is not
 * a git checkout, or has no remote, what was assumed is said.
 */
import path from 'node:path';
import type { ProcessRunner } from '../../ports.js';
import { projectFromRemote, type SetupInput } from '../../spec/pipeline/index.js';
import { repositoryName, requireRepositoryName } from '../build.js';
import { DevpipeError } from '../../errors.js';

export interface Checkout {
  input: Omit<SetupInput, 'pipeline' | 'startedAt'>;
  /** Sentences saying what was assumed, for info messages. */
  assumptions: string[];
}

/** A git command's trimmed stdout, or undefined when it fails (not a checkout, no remote, …). */
export async function git(proc: ProcessRunner, dir: string, args: string[]): Promise<string | undefined> {
  try {
    const result = await proc.run('git', args, { cwd: dir, timeoutMs: 10_000 });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  } catch {
    return undefined;
  }
}

export async function readCheckout(proc: ProcessRunner, dir: string, params: Record<string, string>): Promise<Checkout> {
  const assumptions: string[] = [];
  // A directory name is made a valid image name (`my+svc` → `my-svc`): `.imageName` tags with it.
  const fallback = requireRepositoryName(path.basename(dir), 'the directory name');
  const commit = await git(proc, dir, ['rev-parse', 'HEAD']);
  if (commit === undefined) {
    assumptions.push(`${dir} is not a git checkout (or has no commit): setup.project and setup.projectShortName are assumed to be \`${fallback}\` (the directory name); setup.commit, setup.branch, setup.remote and setup.tag are empty`);
    return { input: { remote: '', project: fallback, commit: '', params }, assumptions };
  }
  const remotes = (await git(proc, dir, ['remote'])) ?? '';
  const name = remotes.split('\n').includes('origin') ? 'origin' : remotes.split('\n').find((r) => r !== '');
  const remote = name ? ((await git(proc, dir, ['remote', 'get-url', name])) ?? '') : '';
  if (remote === '') assumptions.push(`the checkout has no git remote: setup.project is assumed to be \`${fallback}\` (the directory name)`);
  const branch = (await git(proc, dir, ['symbolic-ref', '--short', '-q', 'HEAD'])) ?? '';
  const tag = ((await git(proc, dir, ['tag', '--points-at', 'HEAD'])) ?? '').split('\n')[0] ?? '';
  if (tag !== '') assumptions.push(`HEAD is tagged \`${tag}\`: setup.tag is set, as in a CI build of refs/tags/${tag} (publish adds it as a tag)`);
  const input: Checkout['input'] = {
    remote,
    commit,
    branch,
    tag,
    params,
    git: { GIT_COMMIT: commit, GIT_URL: remote, GIT_LOCAL_BRANCH: branch, GIT_BRANCH: branch },
  };
  if (remote === '') input.project = fallback;
  else {
    const short = projectFromRemote(remote).projectShortName;
    if (short !== '' && repositoryName(short) !== short) {
      throw new DevpipeError('usage', `the git remote ${remote} names the project "${short}", which is not a valid image name (PipelineLib tags images with it)`, {
        hint: `image names are lowercase a-z, 0-9, ., _ and -; rename the repository, or point origin at its canonical name: git remote set-url origin <url ending in /${repositoryName(short) || 'my-service'}.git>`,
      });
    }
  }
  return { input, assumptions };
}
