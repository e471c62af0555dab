/**
 * Reading YAML with positions. We use the `yaml` package (not js-yaml): it keeps every node's
 * source range and reads YAML 1.1 scalars (`yes`/`on` booleans) the way Blubber's and Jenkins'
 * parsers do. The evidence is in docs/yaml.md.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type Tags } from 'yaml';
import { formatKeyPath, type KeyPath, type SpecIssue } from './issues.js';
import { keepLastDuplicates, reindentFlowContinuations } from './yaml-compat.js';
import { dialectTags, type YamlDialect } from './yaml-dialects.js';
import { blockDepthIssue, cyclicAliasIssue, duplicateKeyIssues, flowDepthIssue, MAX_ALIAS_COUNT, sizeIssue, toDataIssue, treeDepthIssue } from './yaml-limits.js';

export type { YamlDialect } from './yaml-dialects.js';

export interface YamlSource {
  /** The path as shown to the user (relative to the project where possible). */
  file: string;
  text: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** Spaces added at the start of a line before parsing (yaml-compat.ts), by 1-based line. */
  shifts?: ReadonlyMap<number, number>;
}

export interface Position {
  line: number;
  col: number;
}

export type ParsedYaml = { ok: true; source: YamlSource; value: unknown; warnings: SpecIssue[] } | { ok: false; errors: SpecIssue[] };

export interface ParseOptions {
  /**
   * Read as the tool that reads this file in CI does (scalar typing, duplicate keys, flow
   * indentation, extra documents): `go-yaml-v2` for Blubber, `snakeyaml` for PipelineLib.
   * Without it: the `yaml` package's strict YAML 1.1 (duplicate keys and extra documents refused).
   */
  dialect?: YamlDialect;
}

const readers: Record<YamlDialect, string> = { 'go-yaml-v2': 'Blubber (Go yaml.v2)', snakeyaml: 'PipelineLib (SnakeYAML)' };

const yamlHints: Record<string, string> = {
  BAD_INDENT: 'check the indentation: nested keys need more spaces than their parent, siblings the same',
  DUPLICATE_KEY: 'each key may appear once in a mapping; remove or merge the duplicate',
  MISSING_CHAR: 'a flow collection ([...] or {...}) or a quoted string is not closed',
  BAD_SCALAR_START: 'quote the value: it starts with a character YAML reserves',
  TAB_AS_INDENT: 'YAML indents with spaces, not tabs',
  MULTIPLE_DOCS: 'a spec file holds one YAML document; remove the extra `---`',
  UNEXPECTED_TOKEN: 'check quoting and indentation around this position',
  BLOCK_AS_IMPLICIT_KEY: 'a key is missing its `:` or a value is mis-indented',
  MULTILINE_IMPLICIT_KEY: 'a key is missing its `:` or a value is mis-indented',
};

/**
 * YAML 1.1's float pattern also matches a lone `.` (→ NaN); Go's and Java's YAML 1.1 readers
 * keep `.` a string (`source: .` is common in Blubber files). A float needs a digit.
 */
function floatNeedsDigit(tags: Tags): Tags {
  return tags.map((tag) => {
    // Idempotent: the yaml package may hand back tags it got from an earlier call, and a growing
    // chain of lookaheads ends in V8's regexp compiler running out of memory (found by fuzzing).
    if (typeof tag !== 'object' || tag.tag !== 'tag:yaml.org,2002:float' || !tag.test || tag.test.source.includes('nan') || tag.test.source.startsWith('^(?=.*[0-9])')) return tag;
    return { ...tag, test: new RegExp(`^(?=.*[0-9])${tag.test.source.replace(/^\^/, '')}`) } as typeof tag;
  });
}

/** Parses YAML 1.1 with positions. Syntax errors are located issues, all of them. */
export function parseYaml(text: string, file: string, options: ParseOptions = {}): ParsedYaml {
  const tooLarge = sizeIssue(text, file) ?? flowDepthIssue(text, file) ?? blockDepthIssue(text, file);
  if (tooLarge) return { ok: false, errors: [tooLarge] };
  const { dialect } = options;
  const lines = new LineCounter();
  const reindented = dialect ? reindentFlowContinuations(text) : undefined;
  const shifts = reindented?.shifts ?? new Map<number, number>();
  const column = (line: number, col: number): number => Math.max(1, col - (shifts.get(line) ?? 0));
  let doc: Document.Parsed;
  try {
    doc = parseDocument(reindented?.text ?? text, {
      version: '1.1',
      lineCounter: lines,
      prettyErrors: false,
      merge: true,
      // Duplicate keys are found by duplicateKeyIssues (linear); the package's own check is quadratic.
      // The CI dialects keep the last of duplicate keys instead (keepLastDuplicates), with a warning.
      uniqueKeys: false,
      customTags: dialect ? dialectTags(dialect) : floatNeedsDigit,
    });
  } catch (error) {
    return { ok: false, errors: [toDataIssue(undefined, lines, file, error)] };
  }
  const warnings: SpecIssue[] = [];
  const parseErrors = doc.errors.filter((error) => {
    // yaml.v2 (Blubber) reads the first document and ignores the rest.
    if (dialect !== 'go-yaml-v2' || error.code !== 'MULTIPLE_DOCS') return true;
    const pos = lines.linePos(error.pos[0]);
    warnings.push({
      file,
      line: pos.line,
      col: column(pos.line, pos.col),
      path: '',
      message: `a second YAML document starts here; ${readers[dialect]} reads only the first, so everything from here on is ignored`,
      hint: 'remove the `---` and what follows, or move it into the first document',
      severity: 'warning',
    });
    return false;
  });
  const structural = duplicateKeyIssues(doc, lines, file, { allowDuplicates: dialect !== undefined });
  const tooDeep = treeDepthIssue(doc, lines, file) ?? cyclicAliasIssue(doc, lines, file);
  if (tooDeep) structural.push(tooDeep);
  if (parseErrors.length > 0 || structural.length > 0) {
    const errors = parseErrors.map((error): SpecIssue => {
      const pos = lines.linePos(error.pos[0]);
      const firstLine = error.message.split('\n')[0] ?? error.message;
      return {
        file,
        line: pos.line,
        col: column(pos.line, pos.col),
        path: '',
        message: `invalid YAML: ${firstLine.replace(/ at line \d+, column \d+:?$/, '')}`,
        hint: yamlHints[error.code],
        severity: 'error',
      };
    });
    return { ok: false, errors: [...errors, ...structural] };
  }
  if (dialect) warnings.push(...keepLastDuplicates(doc, lines, file, column, readers[dialect]));
  const source: YamlSource = { file, text, doc, lines, shifts };
  try {
    return { ok: true, source, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), warnings };
  } catch (error) {
    return { ok: false, errors: [toDataIssue(doc, lines, file, error)] };
  }
}

function position(source: YamlSource, offset: number | undefined): Position {
  if (offset === undefined) return { line: 1, col: 1 };
  const pos = source.lines.linePos(offset);
  return { line: pos.line, col: Math.max(1, pos.col - (source.shifts?.get(pos.line) ?? 0)) };
}

/** Finds the node at a key path, or its deepest existing ancestor. */
function nodeAt(source: YamlSource, path: KeyPath): { node: Node | null; depth: number; pair?: Pair } {
  let node: Node | null = source.doc.contents;
  let pair: Pair | undefined;
  let depth = 0;
  for (const key of path) {
    if (isMap(node)) {
      const found = node.items.find((item) => isPair(item) && keyEquals(item.key, key));
      if (!found) break;
      pair = found as Pair;
      node = (found.value as Node | null) ?? (found.key as Node | null);
    } else if (isSeq(node) && typeof key === 'number' && node.items[key] !== undefined) {
      pair = undefined;
      node = node.items[key] as Node;
    } else {
      break;
    }
    depth++;
  }
  return pair ? { node, depth, pair } : { node, depth };
}

function keyEquals(key: unknown, wanted: string | number): boolean {
  if (isScalar(key)) return String(key.value) === String(wanted);
  return String(key) === String(wanted);
}

/** Position of the value at `path` (or of its nearest existing ancestor). */
export function locate(source: YamlSource, path: KeyPath): Position {
  const { node } = nodeAt(source, path);
  return position(source, node?.range?.[0]);
}

/** The text of the plain scalar at `path` as written in the file (for "quote it" hints). */
export function sourceTextAt(source: YamlSource, path: KeyPath): string | undefined {
  const { node, depth } = nodeAt(source, path);
  if (depth !== path.length || !isScalar(node) || !node.range) return undefined;
  return source.text.slice(node.range[0], node.range[1]).trim() || undefined;
}

/** Position of the *key* at `path` (for unknown keys, duplicate names), falling back to the value. */
export function locateKey(source: YamlSource, path: KeyPath): Position {
  const found = nodeAt(source, path);
  if (found.depth === path.length && found.pair && isScalar(found.pair.key)) {
    return position(source, found.pair.key.range?.[0]);
  }
  return position(source, found.node?.range?.[0]);
}

/** Builds a located issue at a key path of a parsed source. */
export function issueAt(
  source: YamlSource,
  path: KeyPath,
  message: string,
  options: { hint?: string | undefined; atKey?: boolean; severity?: 'error' | 'warning' } = {},
): SpecIssue {
  const pos = options.atKey ? locateKey(source, path) : locate(source, path);
  return {
    file: source.file,
    line: pos.line,
    col: pos.col,
    path: formatKeyPath(path),
    message,
    hint: options.hint,
    severity: options.severity ?? 'error',
  };
}
