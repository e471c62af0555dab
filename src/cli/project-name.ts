/**
 * The project name `build` and `ci` tag and label images with: devpipe.yaml's `project:` when it
 * sets one (so `build`, `ci` and `up` share one image repository and reuse each other's images),
 * else the project directory's name; always a valid image name, or exit 2 with the fix.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { requireRepositoryName } from '../engine/build.js';
import { STACK_FILE } from '../spec/stack/index.js';
import type { Context } from './context.js';

export async function imageProject(ctx: Context): Promise<string> {
  const text = await readFile(path.join(ctx.projectDir, STACK_FILE), 'utf8').catch(() => undefined);
  let declared: unknown;
  try {
    declared = text === undefined ? undefined : (parse(text, { maxAliasCount: 100 }) as { project?: unknown } | null)?.project;
  } catch {
    declared = undefined;
  }
  if (typeof declared === 'string' && declared !== '') return requireRepositoryName(declared, `${STACK_FILE} project:`);
  const directory = path.basename(ctx.projectDir);
  requireRepositoryName(directory, 'the directory name');
  return directory;
}
