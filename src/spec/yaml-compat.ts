/**
 * What Go's yaml.v2 (Blubber) and SnakeYAML (PipelineLib) accept and the `yaml` package refuses,
 * read the way they read it:
 *
 * - a flow collection continued on a line at (or left of) its key's indentation. Both readers
 *   ignore indentation inside `[...]`/`{...}`; the `yaml` package ends the collection there. We
 *   indent such continuation lines before parsing and remember the shift, so positions stay
 *   those of the user's file.
 * - duplicate mapping keys: both keep the last one. We keep the last too and warn at it, naming
 *   the line of the one it replaces.
 */
import { isPair, isScalar, isSeq, visit, type Document, type LineCounter, type Pair, type YAMLMap } from 'yaml';
import { formatKeyPath, type SpecIssue } from './issues.js';

export interface Reindented {
  text: string;
  /** line (1-based) → spaces added at its start. */
  shifts: Map<number, number>;
}

const blockScalarHeader = /(?:^|[\s:-])[|>][0-9+-]*\s*$/;

/** True when a `[`, `{` or quote at `i` starts a token in block context. */
function blockTokenStart(line: string, i: number): boolean {
  const before = line.slice(0, i);
  return /^\s*$/.test(before) || /(?:^|\s)[-?:]\s+$/.test(before) || /^\s*[^\s#'"][^#]*?:\s+$/.test(before);
}

/** True when a quote at `i` starts a token inside a flow collection. */
function flowTokenStart(line: string, i: number): boolean {
  const before = line.slice(0, i).trimEnd();
  return before === '' || /[[{,:]$/.test(before);
}

/**
 * Indents the lines of a flow collection that sit at or left of the indentation of the line that
 * opened it, by just enough for the `yaml` package. Block scalars, quotes and comments are
 * skipped; anything the scanner is unsure of is left as written (the parser then reports it).
 */
export function reindentFlowContinuations(text: string): Reindented {
  const lines = text.split('\n');
  const shifts = new Map<number, number>();
  let depth = 0;
  let owner = 0;
  let quote: '"' | "'" | undefined;
  let blockParent: number | undefined;
  lines.forEach((original, index) => {
    let line = original;
    const indent = line.length - line.trimStart().length;
    const blank = line.trim() === '';
    if (blockParent !== undefined) {
      if (blank || indent > blockParent) return;
      blockParent = undefined;
    }
    if (depth > 0 && quote === undefined && !blank && indent <= owner && !line.trimStart().startsWith('#')) {
      const add = owner + 1 - indent;
      line = ' '.repeat(add) + line;
      lines[index] = line;
      shifts.set(index + 1, add);
    }
    // The column of the line's content after any `- ` sequence indicators (the owning key or item).
    const lineIndent = /^[ ]*(?:-[ ]+)*/.exec(line)![0].length;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quote === '"') {
        if (c === '\\') i++;
        else if (c === '"') quote = undefined;
        continue;
      }
      if (quote === "'") {
        if (c === "'" && line[i + 1] === "'") i++;
        else if (c === "'") quote = undefined;
        continue;
      }
      if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break;
      if (depth === 0) {
        if ((c === '[' || c === '{') && blockTokenStart(line, i)) {
          depth = 1;
          owner = lineIndent;
        } else if ((c === '"' || c === "'") && blockTokenStart(line, i)) {
          quote = c;
        }
        continue;
      }
      if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') depth--;
      else if ((c === '"' || c === "'") && flowTokenStart(line, i)) quote = c;
    }
    if (depth === 0 && quote === undefined && blockScalarHeader.test(line.replace(/\s+#.*$/, ''))) blockParent = line.length - line.trimStart().length;
  });
  return { text: lines.join('\n'), shifts };
}

function keyText(pair: Pair): string | undefined {
  if (!isScalar(pair.key)) return undefined;
  const value = pair.key.value;
  return value === null ? '' : String(value);
}

/**
 * Keeps the last of duplicate keys in every mapping (as yaml.v2 and SnakeYAML do) and returns a
 * warning at each surviving key that names the line of the definition it replaced.
 */
export function keepLastDuplicates(doc: Document.Parsed, lines: LineCounter, file: string, column: (line: number, col: number) => number, reader: string): SpecIssue[] {
  const warnings: SpecIssue[] = [];
  const removals: { map: YAMLMap; pairs: Pair[] }[] = [];
  visit(doc, {
    Map(_key, map, ancestors) {
      const seen = new Map<string, Pair>();
      const dropped: Pair[] = [];
      for (const item of map.items) {
        const key = keyText(item as Pair);
        if (key === undefined || key === '<<') continue;
        const first = seen.get(key);
        if (first) {
          dropped.push(first);
          const was = lines.linePos((first.key as { range?: [number, number, number] }).range?.[0] ?? 0);
          const at = lines.linePos((item.key as { range?: [number, number, number] }).range?.[0] ?? 0);
          const path: (string | number)[] = [];
          const chain = [...ancestors, map];
          chain.forEach((node, i) => {
            if (isPair(node)) path.push(String(isScalar(node.key) ? node.key.value : node.key));
            else if (isSeq(node)) path.push(node.items.indexOf(chain[i + 1] as never));
          });
          path.push(key);
          warnings.push({
            file,
            line: at.line,
            col: column(at.line, at.col),
            path: formatKeyPath(path),
            message: `duplicate key "${key}": this definition replaces the one at line ${was.line}, col ${column(was.line, was.col)} (${reader} keeps the last)`,
            hint: 'remove one of the two; CI reads only this one',
            severity: 'warning',
          });
        }
        seen.set(key, item as Pair);
      }
      if (dropped.length > 0) removals.push({ map, pairs: dropped });
    },
  });
  for (const { map, pairs } of removals) map.items = map.items.filter((item) => !pairs.includes(item as Pair));
  return warnings;
}

