/**
 * Every local path a Blubber build reads, with its key path: `copies`, builder `requirements`
 * (node, python, php, custom) and custom builder `mounts` whose `from` is `local`, at the top
 * level and in every variant. Pure; the containment check (symlinks included) is I/O and lives
 * with the callers (engine/project/local-paths.ts, docker/build-context.ts).
 */
import type { KeyPath } from '../issues.js';
import { LOCAL_CONTEXT } from './schema.js';

export interface LocalSource {
  /** Key path of the entry (its `source`, when written). */
  path: KeyPath;
  /** As written (`.` when the entry names none). */
  source: string;
}

const LIST_KEYS = new Set(['copies', 'requirements', 'mounts']);

export function localSources(config: unknown): LocalSource[] {
  const out: LocalSource[] = [];
  const visit = (value: unknown, at: KeyPath): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, [...at, i]));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (LIST_KEYS.has(key) && Array.isArray(child)) {
        child.forEach((item, i) => {
          if (item !== null && typeof item === 'object' && (item as { from?: unknown }).from === LOCAL_CONTEXT) {
            const source = (item as { source?: unknown }).source;
            const written = typeof source === 'string' && source !== '';
            out.push({ path: written ? [...at, key, i, 'source'] : [...at, key, i], source: written ? source : '.' });
          }
        });
      } else visit(child, [...at, key]);
    }
  };
  visit(config, []);
  return out;
}
