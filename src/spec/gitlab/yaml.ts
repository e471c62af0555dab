/**
 * Reading a `.gitlab-ci.yml` (or a shipped template description) the way GitLab does: YAML 1.1,
 * anchors/aliases and `<<` merges, the custom tag `!reference [job, key, …]` kept as a marker to
 * resolve later, and duplicate keys allowed with the LAST one winning (Ruby's Psych) plus a
 * warning naming both lines. Every value keeps where it came from for located errors.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { SpecIssue } from '../issues.js';
import type { YamlSource } from '../yaml.js';

/** `!reference [path…]` as written; resolved by references.ts. */
export class Reference {
  constructor(
    readonly path: readonly string[],
    readonly file: string,
    readonly line: number,
    readonly col: number,
  ) {}

  toString(): string {
    return `!reference [${this.path.join(', ')}]`;
  }
}

export interface GitlabYaml {
  source: YamlSource;
  value: unknown;
  warnings: SpecIssue[];
}

export type ReadResult = { ok: true; yaml: GitlabYaml } | { ok: false; errors: SpecIssue[] };

function pos(lines: LineCounter, offset: number | undefined): { line: number; col: number } {
  if (offset === undefined) return { line: 1, col: 1 };
  const p = lines.linePos(offset);
  return { line: p.line, col: p.col };
}

export function readGitlabYaml(text: string, file: string): ReadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', lineCounter: lines, prettyErrors: false, uniqueKeys: false, merge: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => ({
        file,
        ...pos(lines, error.pos[0]),
        path: '',
        message: `invalid YAML: ${(error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '')}`,
        severity: 'error' as const,
      })),
    };
  }
  const warnings: SpecIssue[] = [];
  const errors: SpecIssue[] = [];
  let aliases = 0;
  const convert = (node: unknown, keyPath: string): unknown => {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      if (++aliases > 1000) throw new Error('too many aliases');
      return convert(node.resolve(doc as Document), keyPath);
    }
    if (isScalar(node)) {
      const v = node.value;
      // Psych (GitLab's reader) keeps y/n/Y/N as strings, unlike YAML 1.1's boolean table.
      if (typeof v === 'boolean' && node.type === 'PLAIN' && /^[yYnN]$/.test(node.source ?? '')) return node.source;
      return typeof v === 'number' || typeof v === 'bigint' ? String(node.source ?? v) : v;
    }
    if (isSeq(node)) {
      const items = node.items.map((item, i) => convert(item, `${keyPath}[${i}]`));
      if (node.tag === '!reference') {
        const at = pos(lines, node.range?.[0]);
        if (!items.every((i) => typeof i === 'string') || items.length === 0) {
          errors.push({ file, ...at, path: keyPath, message: '`!reference` needs a list of names: [job, key, …]', severity: 'error' });
          return null;
        }
        return new Reference(items as string[], file, at.line, at.col);
      }
      return items;
    }
    if (isMap(node)) {
      if (node.tag === '!reference') errors.push({ file, ...pos(lines, node.range?.[0]), path: keyPath, message: '`!reference` takes a list: !reference [job, key]', severity: 'error' });
      const out: Record<string, unknown> = {};
      const firstLine = new Map<string, number>();
      const merges: unknown[] = [];
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? (keyNode.type === 'PLAIN' && typeof keyNode.source === 'string' && typeof keyNode.value !== 'string' ? keyNode.source : String(keyNode.value)) : String(keyNode);
        const at = pos(lines, (keyNode as Node | null)?.range?.[0]);
        if (key === '<<' && !(isScalar(keyNode) && keyNode.type !== 'PLAIN')) {
          const value = convert(pair.value, keyPath);
          merges.push(...(Array.isArray(value) ? value : [value]));
          continue;
        }
        const child = keyPath === '' ? key : `${keyPath}.${key}`;
        const earlier = firstLine.get(key);
        if (earlier !== undefined) {
          warnings.push({
            file,
            ...at,
            path: child,
            message: `duplicate key \`${key}\` (lines ${earlier} and ${at.line}); GitLab keeps the last definition, line ${at.line}`,
            hint: 'remove one of the two definitions',
            severity: 'warning',
          });
        }
        firstLine.set(key, at.line);
        out[key] = convert(pair.value, child);
      }
      // `<<: *anchor` keys are below the mapping's own keys.
      for (const merged of merges.reverse()) {
        if (merged && typeof merged === 'object' && !Array.isArray(merged)) {
          for (const [k, v] of Object.entries(merged)) if (!(k in out)) out[k] = v;
        }
      }
      return out;
    }
    return null;
  };
  let value: unknown;
  try {
    value = convert(doc.contents, '');
  } catch (error) {
    return { ok: false, errors: [{ file, line: 1, col: 1, path: '', message: `invalid YAML: ${(error as Error).message}`, severity: 'error' }] };
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, yaml: { source: { file, text, doc: doc as Document.Parsed, lines }, value, warnings } };
}
