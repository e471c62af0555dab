/**
 * `rules:changes` / `rules:exists` globs as GitLab matches them (Ruby's File.fnmatch with
 * PATHNAME | DOTMATCH | EXTGLOB): `*` and `?` stay inside one path segment, `**` crosses
 * segments, `{a,b}` alternates, `[…]` is a class.
 */

export function globToRegExp(glob: string): RegExp {
  let out = '';
  let i = 0;
  let braces = 0;
  const pattern = glob.replace(/^\.\//, '').replace(/^\/+/, '');
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        out += slash ? '(?:.*/)?' : '.*';
        i += slash ? 3 : 2;
        continue;
      }
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '{') {
      braces++;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      out += ')';
    } else if (c === ',' && braces > 0) out += '|';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) out += '\\[';
      else {
        out += `[${pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^$()|\\]/g, '\\$&');
    i++;
  }
  return new RegExp(`^${out}$`);
}

export function matchesAny(globs: readonly string[], files: readonly string[]): string | undefined {
  const patterns = globs.map(globToRegExp);
  return files.find((file) => patterns.some((p) => p.test(file)));
}
