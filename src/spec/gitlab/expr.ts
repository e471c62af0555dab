/**
 * GitLab's `rules:if` expressions (kokkuri.md §2.7, from GitLab's lexer/parser): `$NAME`, quoted
 * strings, `/regex/flags`, `null`, `true`/`false`, `==` `!=` `=~` `!~`, `&&` over `||`,
 * parentheses. Variables are looked up, never expanded; undefined is nil, which differs from "".
 * A pattern needs at least two characters (`/x/` is a syntax error, as in GitLab).
 */

export type Value = string | boolean | null | { pattern: RegExp; source: string };

export class ExprError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'ExprError';
  }
}

type Token =
  | { kind: 'var'; name: string; at: number }
  | { kind: 'string'; value: string; at: number }
  | { kind: 'pattern'; source: string; flags: string; at: number }
  | { kind: 'null' | 'true' | 'false' | '(' | ')' | '==' | '!=' | '=~' | '!~' | '&&' | '||'; at: number };

const maxTokens = 100;
const operators = ['==', '!=', '=~', '!~', '&&', '||'] as const;

/** GitLab's pattern lexeme: `/`, two or more characters (`\/` allowed, not ending in `\`), `/`, flags. */
const patternLexeme = /^\/((?:[^/\\\n]|\\.)(?:[^/\\\n]|\\.)+)\/([ismU]*)/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const variable = /^\$([A-Za-z0-9_]+)/.exec(rest);
    const op = operators.find((o) => rest.startsWith(o));
    const quoted = /^"([^"]*)"|^'([^']*)'/.exec(rest);
    const word = /^(null|true|false)\b/.exec(rest);
    if (variable) {
      tokens.push({ kind: 'var', name: variable[1]!, at: i });
      i += variable[0].length;
    } else if (op) {
      tokens.push({ kind: op, at: i });
      i += 2;
    } else if (rest[0] === '(' || rest[0] === ')') {
      tokens.push({ kind: rest[0], at: i });
      i += 1;
    } else if (quoted) {
      tokens.push({ kind: 'string', value: quoted[1] ?? quoted[2] ?? '', at: i });
      i += quoted[0].length;
    } else if (word) {
      tokens.push({ kind: word[1] as 'null' | 'true' | 'false', at: i });
      i += word[0].length;
    } else if (rest[0] === '/') {
      const pattern = patternLexeme.exec(rest);
      if (!pattern) {
        const end = rest.indexOf('/', 1);
        const shown = end > 0 ? rest.slice(0, end + 1) : rest;
        throw new ExprError(`invalid pattern ${shown}: a pattern needs at least two characters between the slashes`, i);
      }
      tokens.push({ kind: 'pattern', source: pattern[1]!, flags: pattern[2] ?? '', at: i });
      i += pattern[0].length;
    } else {
      throw new ExprError(`unknown token at "${rest.slice(0, 12)}"`, i);
    }
    if (tokens.length > maxTokens) throw new ExprError(`more than ${maxTokens} tokens`, i);
  }
  return tokens;
}

export type Node =
  | { kind: 'var'; name: string }
  | { kind: 'literal'; value: Value }
  | { kind: 'compare'; op: '==' | '!=' | '=~' | '!~'; left: Node; right: Node }
  | { kind: 'and' | 'or'; left: Node; right: Node };

/** RE2 (GitLab) → JavaScript: flags i, s, m; `U` (ungreedy) has no JavaScript equivalent. */
export function toRegExp(source: string, flags: string, at = 0): RegExp {
  if (flags.includes('U')) throw new ExprError(`pattern flag U (ungreedy) is not supported by devpipe`, at);
  const body = source.replace(/\\\//g, '/');
  try {
    return new RegExp(body, [...new Set(flags)].join(''));
  } catch (error) {
    throw new ExprError(`invalid pattern /${source}/: ${(error as Error).message}`, at);
  }
}

export function parse(text: string): Node {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const fail = (message: string): never => {
    throw new ExprError(message, peek()?.at ?? text.length);
  };
  const operand = (): Node => {
    const token = tokens[pos++];
    if (!token) return fail('the expression ends where a value was expected');
    switch (token.kind) {
      case 'var':
        return { kind: 'var', name: token.name };
      case 'string':
        return { kind: 'literal', value: token.value };
      case 'pattern':
        return { kind: 'literal', value: { pattern: toRegExp(token.source, token.flags, token.at), source: `/${token.source}/${token.flags}` } };
      case 'null':
        return { kind: 'literal', value: null };
      case 'true':
      case 'false':
        return { kind: 'literal', value: token.kind === 'true' };
      case '(': {
        const inner = or();
        if (peek()?.kind !== ')') fail('a `(` is not closed');
        pos++;
        return inner;
      }
      default:
        pos--;
        return fail(`unexpected \`${token.kind}\` where a value was expected`);
    }
  };
  const compare = (): Node => {
    const left = operand();
    const op = peek()?.kind;
    if (op === '==' || op === '!=' || op === '=~' || op === '!~') {
      pos++;
      return { kind: 'compare', op, left, right: operand() };
    }
    return left;
  };
  const and = (): Node => {
    let left = compare();
    while (peek()?.kind === '&&') {
      pos++;
      left = { kind: 'and', left, right: compare() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek()?.kind === '||') {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  if (tokens.length === 0) fail('the expression is empty');
  const tree = or();
  if (pos < tokens.length) fail(`unexpected \`${describe(tokens[pos]!)}\` after a complete expression`);
  return tree;
}

function describe(token: Token): string {
  if (token.kind === 'var') return `$${token.name}`;
  if (token.kind === 'string') return JSON.stringify(token.value);
  if (token.kind === 'pattern') return `/${token.source}/`;
  return token.kind;
}

/** A variable's value, or undefined when the variable is not defined (nil). */
export type Lookup = (name: string) => string | undefined;

function isFalsy(value: Value): boolean {
  return value === null || value === false;
}

function asPattern(value: Value): RegExp | undefined {
  if (value !== null && typeof value === 'object') return value.pattern;
  if (typeof value === 'string') {
    // A variable holding `/re/flags` is used as a regex (GitLab ≥ 15.1).
    const m = /^\/(.+)\/([ismU]*)$/s.exec(value);
    if (m) return toRegExp(m[1]!, m[2] ?? '');
  }
  return undefined;
}

function text(value: Value): string | null | boolean {
  return value !== null && typeof value === 'object' ? value.source : value;
}

export function evaluate(node: Node, lookup: Lookup): Value {
  switch (node.kind) {
    case 'var':
      return lookup(node.name) ?? null;
    case 'literal':
      return node.value;
    case 'and': {
      const left = evaluate(node.left, lookup);
      return isFalsy(left) ? left : evaluate(node.right, lookup);
    }
    case 'or': {
      const left = evaluate(node.left, lookup);
      return isFalsy(left) ? evaluate(node.right, lookup) : left;
    }
    case 'compare': {
      const left = evaluate(node.left, lookup);
      const right = evaluate(node.right, lookup);
      if (node.op === '==' || node.op === '!=') {
        const equal = text(left) === text(right);
        return node.op === '==' ? equal : !equal;
      }
      const subject = left === null || left === false ? '' : String(text(left));
      const pattern = asPattern(right);
      let matched: boolean;
      if (pattern) matched = pattern.test(subject);
      else matched = right !== null && right !== false && String(text(right)).includes(subject);
      return node.op === '=~' ? matched : !matched;
    }
  }
}

/** "Present": not nil, not false, not the empty string. */
export function present(value: Value): boolean {
  return !(value === null || value === false || value === '');
}

/** Parses and evaluates; throws ExprError on a syntax error. */
export function evaluateIf(expression: string, lookup: Lookup): boolean {
  return present(evaluate(parse(expression), lookup));
}

/** `=~` against something that is not a pattern (a substring test GitLab documents as unintended). */
export function substringMatches(node: Node): boolean {
  if (node.kind === 'compare') return (node.op === '=~' || node.op === '!~') && node.right.kind === 'literal' && typeof node.right.value === 'string';
  if (node.kind === 'and' || node.kind === 'or') return substringMatches(node.left) || substringMatches(node.right);
  return false;
}

/** Variables tested bare (`$CI_COMMIT_REF_PROTECTED` alone is true for "false" too). */
export function bareVariables(node: Node): string[] {
  if (node.kind === 'var') return [node.name];
  if (node.kind === 'and' || node.kind === 'or') return [...bareVariables(node.left), ...bareVariables(node.right)];
  return [];
}
