/**
 * The project name `build` and `ci` tag and label images with: devpipe.yaml's `project:` when it
 * sets one (so `build`, `ci` and `up` share one image repository and reuse each other's images),
 * else the project directory's name; always a valid image name, or exit 2 with the fix.
 */
import path from 'node:path';
import { parse } from 'yaml';
import { requireRepositoryName } from '../build.js';
import { STACK_FILE } from '../../spec/stack/index.js';
import type { ProjectReader } from './workspace.js';

export async function imageProject(reader: ProjectReader): Promise<string> {
  const text = await reader.read(STACK_FILE).catch(() => undefined);
  let declared: unknown;
  try {
    declared = text === undefined ? undefined : (parse(text, { maxAliasCount: 100 }) as { project?: unknown } | null)?.project;
  } catch {
    declared = undefined;
  }
  if (typeof declared === 'string' && declared !== '') return requireRepositoryName(declared, `${STACK_FILE} project:`);
  const directory = path.basename(reader.root);
  requireRepositoryName(directory, 'the directory name');
  return directory;
}
