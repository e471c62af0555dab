/**
 * The `${…}` lexer, exactly as PipelineLib's (reference §2.1): an expression is `${NAME}` or
 * `${NAME|DEFAULT}`; NAME is one or more of `A–Z a–z 0–9 . _ -`; the default runs to the first `}`
 * (so it cannot contain one); there is no escape for a literal `${`. Everything else is literal.
 */

export interface LiteralToken {
  kind: 'literal';
  value: string;
  /** Offset of the token in the source string. */
  start: number;
}

export interface VariableToken {
  kind: 'variable';
  /** The whole expression as written, `${.x|default}`. */
  source: string;
  name: string;
  hasDefault: boolean;
  defaultValue: string;
  start: number;
}

export type Token = LiteralToken | VariableToken;

export type LexerReason = 'missing the end delimiter }' | 'name is missing' | 'invalid character following name';

/** A malformed `${…}` expression; `offset` is where its `${` starts in the string. */
export class LexerError extends Error {
  override readonly name = 'LexerError';
  constructor(
    readonly reason: LexerReason,
    /** The expression text PipelineLib quotes: from `${` to the first `}` (or to the end). */
    readonly expression: string,
    readonly offset: number,
  ) {
    super(`invalid variable expression (${reason}): ${expression}`);
  }

  get hint(): string {
    switch (this.reason) {
      case 'missing the end delimiter }':
        return 'close the expression with `}`; PipelineLib has no escape for a literal `${`';
      case 'name is missing':
        return 'write a name between the braces, e.g. `${.imageID}` or `${setup.project}`';
      default:
        return (
          'a name may only hold letters, digits, `.`, `_` and `-`, followed by `}` or `|default`; ' +
          'shell syntax such as `${VAR:-x}` or `${#arr}` is not allowed in interpolated fields (there is no escape for `${`)'
        );
    }
  }
}

const NAME_CHAR = /[A-Za-z0-9._-]/;

/** Splits a string into literal and variable tokens; throws LexerError on a malformed `${…}`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const start = text.indexOf('${', pos);
    if (start < 0) break;
    if (start > pos) tokens.push({ kind: 'literal', value: text.slice(pos, start), start: pos });
    const end = text.indexOf('}', start);
    if (end < 0) throw new LexerError('missing the end delimiter }', text.slice(start), start);
    const source = text.slice(start, end + 1);
    const body = text.slice(start + 2, end);
    let length = 0;
    while (length < body.length && NAME_CHAR.test(body[length]!)) length++;
    if (length === 0) throw new LexerError('name is missing', source, start);
    const remainder = body.slice(length);
    if (remainder.length > 0 && remainder[0] !== '|') throw new LexerError('invalid character following name', source, start);
    tokens.push({
      kind: 'variable',
      source,
      name: body.slice(0, length),
      hasDefault: remainder.length > 0,
      defaultValue: remainder.slice(1),
      start,
    });
    pos = end + 1;
  }
  if (pos < text.length) tokens.push({ kind: 'literal', value: text.slice(pos), start: pos });
  return tokens;
}

/** `setup.params.X` → `{namespace: 'setup', key: 'params.X'}`; a dot-less name has namespace undefined. */
export function splitName(name: string): { namespace: string | undefined; key: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { namespace: undefined, key: name } : { namespace: name.slice(0, dot), key: name.slice(dot + 1) };
}
