/** The profiles shipped with devpipe (`profiles/*.yaml` of the package, from src/ or dist/ alike). */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuiltinProfile } from '../spec/stack/index.js';

export const builtinProfilesDir = fileURLToPath(new URL('../../profiles/', import.meta.url));

export async function readBuiltinProfiles(dir = builtinProfilesDir): Promise<BuiltinProfile[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.yaml')).sort();
  return Promise.all(names.map(async (name) => ({ name: name.replace(/\.yaml$/, ''), file: `profiles/${name}`, text: await readFile(path.join(dir, name), 'utf8') })));
}
