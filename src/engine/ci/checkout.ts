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
import { gitHead } from '../project/revision.js';

export interface Checkout {
  input: Omit<SetupInput, 'pipeline' | 'startedAt'>;
  /** Sentences saying what was assumed, for info messages. */
  assumptions: string[];
  /** `<commit>[+dirty]` or `none`: what sourceRevision says, from the same git process. */
  revision: string;
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
  // Three processes, at once: HEAD and its branch; the remotes with their URLs (insteadOf applied);
  // the tags on HEAD.
  const [head, remotes, tagOut] = await Promise.all([
    gitHead(proc, dir),
    git(proc, dir, ['remote', '-v']),
    git(proc, dir, ['tag', '--points-at', 'HEAD']),
  ]);
  const commit = head.commit;
  const urls = new Map<string, string>();
  for (const line of (remotes ?? '').split('\n')) {
    const match = /^(\S+)\t(.*?) \((fetch|push)\)$/.exec(line);
    if (match && (match[3] === 'fetch' || !urls.has(match[1]!))) urls.set(match[1]!, match[2]!);
  }
  const remote = urls.get('origin') ?? [...urls.values()][0] ?? '';
  const branchOut = head.branch;
  if (commit === undefined) {
    assumptions.push(`${dir} is not a git checkout (or has no commit): setup.project and setup.projectShortName are assumed to be \`${fallback}\` (the directory name); setup.commit, setup.branch, setup.remote and setup.tag are empty`);
    return { input: { remote: '', project: fallback, commit: '', params }, assumptions, revision: 'none' };
  }
  if (remote === '') assumptions.push(`the checkout has no git remote: setup.project is assumed to be \`${fallback}\` (the directory name)`);
  const branch = branchOut ?? '';
  const tag = (tagOut ?? '').split('\n')[0] ?? '';
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
  return { input, assumptions, revision: `${commit}${head.dirty ? '+dirty' : ''}` };
}
