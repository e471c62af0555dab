/** A fixture directory as a fresh git checkout: one commit, an `origin` remote, a branch. */
import { chmod, cp } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { repoRoot } from './cli.js';
import { tempProject } from './tmp.js';

export async function gitFixture(fixture: string, options: { remote: string; branch?: string; prefix: string }): Promise<string> {
  const dir = await tempProject({}, options.prefix);
  await cp(path.join(repoRoot, fixture), dir, { recursive: true });
  await chmod(dir, 0o755);
  const git = (...args: string[]) => execa('git', args, { cwd: dir });
  await git('init', '-q', ...(options.branch ? ['-b', options.branch] : []));
  await git('remote', 'add', 'origin', options.remote);
  await git('add', '-A');
  await git('-c', 'user.email=ci@example.org', '-c', 'user.name=ci', 'commit', '-qm', 'fixture');
  return dir;
}
