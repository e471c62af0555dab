/**
 * Located spec issues: every problem in a spec file names file:line:col, the key path, what was
 * expected, and a hint. All issues of a file are collected and reported together.
 */
import { DevpipeError } from '../errors.js';

export type KeyPath = readonly (string | number)[];

export interface SpecIssue {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** Dotted key path, e.g. `variants.build.builders[1].custom.command`; '' for the document. */
  path: string;
  message: string;
  hint?: string | undefined;
  severity: 'error' | 'warning';
}

export type SpecResult<T> =
  | { ok: true; value: T; warnings: SpecIssue[] }
  | { ok: false; errors: SpecIssue[]; warnings: SpecIssue[] };

/** `variants.build.builders[1].custom.command` */
export function formatKeyPath(path: KeyPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** `file:line:col key.path: message (hint: …)` */
export function formatIssue(issue: SpecIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.col}`;
  const path = issue.path ? ` ${issue.path}:` : '';
  const level = issue.severity === 'warning' ? ' warning:' : '';
  const hint = issue.hint ? ` (hint: ${issue.hint})` : '';
  return `${where}${level}${path} ${issue.message}${hint}`;
}

export function sortIssues(issues: SpecIssue[]): SpecIssue[] {
  return [...issues].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

/** The error a CLI command throws for an invalid spec: exit 2, every issue listed. */
export class SpecError extends DevpipeError {
  override readonly name = 'SpecError';
  readonly issues: readonly SpecIssue[];

  constructor(issues: SpecIssue[], summary?: string, hint = 'fix the spec at the locations above; nothing was built or started') {
    const sorted = sortIssues(issues);
    const first = sorted[0];
    const files = [...new Set(sorted.map((i) => i.file))];
    const message =
      summary ??
      (sorted.length === 1 && first
        ? formatIssue(first)
        : `${sorted.length} problems in ${files.join(', ')}`);
    super('spec', message, {
      details: sorted.length === 1 && !summary ? [] : sorted.map(formatIssue),
      hint,
    });
    this.issues = sorted;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** Edit distance with adjacent transpositions (optimal string alignment), for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The nearest candidate within a typo's reach, or undefined. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}
