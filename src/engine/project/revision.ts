/** What the project's git checkout says, when it is one (devpipe works without git too). */
import type { ProcessRunner } from '../../ports.js';

/** `git status --porcelain=v2 --branch`: HEAD's commit, its branch, uncommitted changes; one process. */
export interface GitHead {
  /** undefined: not a checkout, or no commit yet. */
  commit: string | undefined;
  /** '' when HEAD is detached. */
  branch: string;
  dirty: boolean;
}

export function parseStatusV2(stdout: string): GitHead {
  let commit: string | undefined;
  let branch = '';
  let dirty = false;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('# branch.oid ')) {
      const oid = line.slice('# branch.oid '.length).trim();
      commit = /^[0-9a-f]{40,64}$/.test(oid) ? oid : undefined;
    } else if (line.startsWith('# branch.head ')) {
      const head = line.slice('# branch.head '.length).trim();
      branch = head === '(detached)' ? '' : head;
    } else if (line.trim() !== '' && !line.startsWith('#')) dirty = true;
  }
  return { commit, branch, dirty };
}

export async function gitHead(proc: ProcessRunner, dir: string): Promise<GitHead> {
  try {
    const status = await proc.run('git', ['status', '--porcelain=v2', '--branch', '--untracked-files=no'], { cwd: dir, timeoutMs: 10_000 });
    if (status.exitCode !== 0) return { commit: undefined, branch: '', dirty: false };
    return parseStatusV2(status.stdout);
  } catch {
    return { commit: undefined, branch: '', dirty: false };
  }
}

export async function sourceRevision(proc: ProcessRunner, dir: string): Promise<string> {
  const head = await gitHead(proc, dir);
  return head.commit === undefined ? 'none' : `${head.commit}${head.dirty ? '+dirty' : ''}`;
}
