/**
 * The patterns behind Blubber's validators (config/validation.go), with the same quirks:
 * variant and user names need at least three characters, single-letter environment variable
 * names are rejected, Debian release and component names are matched unanchored.
 */

export const variantNamePattern = /^[a-zA-Z][a-zA-Z0-9\-.]+[a-zA-Z0-9]$/;
export const userNamePattern = variantNamePattern;
export const envVarNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]+$/;
export const nodeEnvPattern = /^[a-zA-Z0-9]+$/;
export const debianPackagePattern = /^[a-z0-9][a-z0-9+.-]+(?:=[A-Za-z0-9.+~:-]+|\/[a-zA-Z][a-zA-Z0-9-]*)?$/;
/** Unanchored, as in Blubber: anything containing a letter passes. */
export const debianReleasePattern = /[a-zA-Z][a-zA-Z0-9-]*/;
export const debianComponentPattern = /[a-zA-Z][a-zA-Z0-9-]*/;
const pyOp = '(?:<=|>=|!=|==|~=|<|>)';
const pyVersion = '[A-Za-z0-9.*+!-]+';
export const pythonSpecifierPattern = new RegExp(`^${pyOp}${pyVersion}(?:,${pyOp}${pyVersion})*$`);

// The Docker distribution reference grammar (github.com/distribution/reference), anchored.
const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
export const imageReferencePattern = new RegExp(`^${name}(?::${tag})?(?:@${digest})?$`);

export function isImageReference(ref: string): boolean {
  const withoutDigest = ref.split('@')[0] ?? ref;
  const nameOnly = withoutDigest.replace(/:[\w][\w.-]{0,127}$/, '');
  return imageReferencePattern.test(ref) && nameOnly.length <= 255;
}

export function isHttpUrl(url: string): boolean {
  if (!/^https?:\/\/\S+$/.test(url)) return false;
  try {
    const parsed = new URL(url);
    return parsed.host !== '';
  } catch {
    return false;
  }
}

/** `path.Clean` of Go, for POSIX paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** An absolute path that is not `/` (Blubber's `abspath`). */
export function isAbsoluteNonRoot(p: string): boolean {
  return p.startsWith('/') && cleanPath(p) !== '/';
}

/** A `from: local` source must be relative and stay inside the context (Blubber's `relativelocal`). */
export function isRelativeLocal(p: string): boolean {
  if (p.startsWith('/')) return false;
  const cleaned = cleanPath(p);
  return cleaned !== '..' && !cleaned.startsWith('../');
}
