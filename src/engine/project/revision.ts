/** What the project's git checkout says, when it is one (devpipe works without git too). */
import type { ProcessRunner } from '../../ports.js';

export async function sourceRevision(proc: ProcessRunner, dir: string): Promise<string> {
  try {
    const head = await proc.run('git', ['rev-parse', 'HEAD'], { cwd: dir, timeoutMs: 10_000 });
    if (head.exitCode !== 0) return 'none';
    const status = await proc.run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: dir, timeoutMs: 10_000 });
    return `${head.stdout.trim()}${status.exitCode === 0 && status.stdout.trim() !== '' ? '+dirty' : ''}`;
  } catch {
    return 'none';
  }
}
