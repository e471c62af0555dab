/**
 * Does a project-relative path stay inside the project once every symlink on it is resolved?
 * The longest existing prefix is resolved (a missing tail cannot escape by itself), exactly as
 * Docker scopes a COPY source to the build context. Glob characters end the fixed prefix.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';

export type Containment = { inside: true } | { inside: false; resolved: string; via?: string | undefined };

async function existingReal(candidate: string): Promise<{ real: string; rest: string } | undefined> {
  let current = candidate;
  let rest = '';
  for (;;) {
    try {
      return { real: await realpath(current), rest };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      const parent = path.dirname(current);
      if (parent === current) return undefined;
      rest = path.join(path.basename(current), rest);
      current = parent;
    }
  }
}

function within(root: string, target: string): boolean {
  return target === root || target.startsWith(root + path.sep);
}

export async function containment(root: string, relative: string): Promise<Containment> {
  const realRoot = await realpath(root);
  const fixed = relative.split('/').filter((segment, i, all) => !all.slice(0, i + 1).some((s) => /[*?[]/.test(s)) && segment !== '').join('/');
  const lexical = path.resolve(root, fixed || '.');
  if (!within(path.resolve(root), lexical)) return { inside: false, resolved: lexical };
  const found = await existingReal(lexical);
  if (!found) return { inside: true };
  const resolved = path.join(found.real, found.rest);
  if (within(realRoot, resolved)) return { inside: true };
  return { inside: false, resolved, via: found.real };
}
