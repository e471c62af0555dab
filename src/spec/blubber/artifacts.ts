/**
 * Artifact paths as Blubber computes them (config/artifacts.go): shorthand expansion of
 * `copies`, and the normalized source/destination used to group builder requirements.
 */
import { cleanPath } from './patterns.js';
import { LOCAL_CONTEXT, LOCAL_LIB, type Artifact } from './schema.js';

/** A path names a directory when it is `.` after cleaning or ends with `/`. */
export function isDirPath(p: string): boolean {
  return cleanPath(p) === '.' || p.endsWith('/');
}

function dirname(p: string): string {
  const cleaned = cleanPath(p);
  const at = cleaned.lastIndexOf('/');
  if (at < 0) return '.';
  if (at === 0) return '/';
  return cleaned.slice(0, at);
}

function basename(p: string): string {
  const cleaned = cleanPath(p);
  return cleaned.slice(cleaned.lastIndexOf('/') + 1);
}

/**
 * `copies` shorthand (§2.3), using the *copying* variant's app dir: `local` → `.` → `.`;
 * `{from: X}` → APP → APP and /opt/lib → /opt/lib; `{from, source}` → source → source.
 */
export function expandCopy(artifact: Artifact, appDir: string): Artifact[] {
  const { from, exclude } = artifact;
  const source = artifact.source ?? '';
  const destination = artifact.destination ?? '';
  const withExclude = (a: Artifact): Artifact => (exclude !== undefined ? { ...a, exclude } : a);
  if (source === '' && destination === '') {
    if (from === LOCAL_CONTEXT) return [withExclude({ from, source: '.', destination: '.' })];
    return [withExclude({ from, source: appDir, destination: appDir }), withExclude({ from, source: LOCAL_LIB, destination: LOCAL_LIB })];
  }
  if (destination === '') return [withExclude({ from, source, destination: source })];
  return [withExclude({ from, source, destination })];
}

/** The source cleaned, keeping a trailing `/` for directories (`.` → `./`). */
export function normalizedSource(artifact: Artifact): string {
  const source = artifact.source ?? '';
  const cleaned = cleanPath(source);
  if (cleaned !== '/' && isDirPath(source)) return `${cleaned}/`;
  return cleaned;
}

/** The destination (defaulted from the source), cleaned, keeping a trailing `/` for directories. */
export function normalizedDestination(artifact: Artifact): string {
  const source = artifact.source ?? '';
  const destination = artifact.destination ?? '';
  if (destination === '') {
    if (source !== '' && isDirPath(source)) return source;
    return `${dirname(normalizedSource(artifact))}/`.replace(/^\/\/$/, '/');
  }
  const cleaned = cleanPath(destination);
  if (cleaned !== '/' && (isDirPath(destination) || (source !== '' && isDirPath(source)))) return `${cleaned}/`;
  return cleaned;
}

/** Where the artifact ends up: a file copied into a directory lands at dir + basename. */
export function effectiveDestination(artifact: Artifact): string {
  const dest = normalizedDestination(artifact);
  if (!isDirPath(dest) || isDirPath(artifact.source ?? '')) return dest;
  const base = basename(artifact.source ?? '');
  if (dest === './') return base;
  return dest + base;
}
