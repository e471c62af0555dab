/**
 * The part of HCL that bake files use (kokkuri.md §1.3 `.kokkuri:bake`): blocks with labels,
 * attributes, strings with `${…}` templates, numbers, lists, maps, `[for x in … : …]`, `+ - * /`,
 * indexing, calls of a few of bake's built-in functions (length, split, join, slice, range,
 * concat, lower, upper, replace, trimprefix, trimsuffix) and of `function` blocks
 * (`params`/`result`). Parsing keeps expressions unevaluated; `evaluate` runs them in a scope.
 */

export class HclError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

export interface Token {
  t: string;
  kind: 'word' | 'string' | 'number' | 'punct';
  line: number;
  col: number;
}

export type Expr =
  | { k: 'lit'; v: HclValue }
  | { k: 'tpl'; raw: string; at: Token }
  | { k: 'ref'; name: string; at: Token }
  | { k: 'list'; items: Expr[] }
  | { k: 'map'; entries: [string, Expr][] }
  | { k: 'for'; key?: string | undefined; value: string; source: Expr; body: Expr }
  | { k: 'call'; name: string; args: Expr[]; at: Token }
  | { k: 'index'; target: Expr; index: Expr }
  | { k: 'bin'; op: string; left: Expr; right: Expr; at: Token };

export type HclValue = string | number | boolean | null | HclValue[] | { [key: string]: HclValue };

export interface Block {
  type: string;
  labels: string[];
  attrs: Record<string, Expr>;
  blocks: Block[];
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const advance = (to: number) => {
    for (let j = i; j < to; j++) {
      if (text[j] === '\n') {
        line += 1;
        lineStart = j + 1;
      }
    }
    i = to;
  };
  while (i < text.length) {
    const c = text[i]!;
    const col = i - lineStart + 1;
    if (/\s/.test(c)) advance(i + 1);
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) advance(text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i));
    else if (c === '/' && text[i + 1] === '*') advance(text.indexOf('*/', i + 2) < 0 ? text.length : text.indexOf('*/', i + 2) + 2);
    else if (c === '"') {
      let j = i + 1;
      let depth = 0;
      while (j < text.length && !(text[j] === '"' && depth === 0)) {
        if (text[j] === '\\') j++;
        else if (text[j] === '$' && text[j + 1] === '{') {
          depth += 1;
          j += 1;
        }
        else if (text[j] === '}' && depth > 0) depth--;
        else if (text[j] === '\n' && depth === 0) throw new HclError('a string is not closed on its line', line, col);
        j++;
      }
      if (j >= text.length) throw new HclError('a string is not closed', line, col);
      out.push({ t: text.slice(i + 1, j), kind: 'string', line, col });
      advance(j + 1);
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(i))!;
      out.push({ t: m[0], kind: 'number', line, col });
      advance(i + m[0].length);
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(text.slice(i))!;
      out.push({ t: m[0], kind: 'word', line, col });
      advance(i + m[0].length);
    } else if ('{}[]()=,:+-*/.'.includes(c)) {
      out.push({ t: c, kind: 'punct', line, col });
      advance(i + 1);
    } else throw new HclError(`unexpected character ${JSON.stringify(c)}`, line, col);
  }
  return out;
}

class Parser {
  p = 0;
  constructor(readonly tokens: Token[]) {}
  peek(offset = 0): Token | undefined {
    return this.tokens[this.p + offset];
  }
  next(): Token {
    const token = this.tokens[this.p++];
    if (!token) {
      const last = this.tokens.at(-1);
      throw new HclError('the file ends in the middle of an expression or block', last?.line ?? 1, last?.col ?? 1);
    }
    return token;
  }
  expect(t: string): Token {
    const token = this.next();
    if (token.t !== t || token.kind === 'string') throw new HclError(`expected \`${t}\`, found \`${token.t}\``, token.line, token.col);
    return token;
  }
  is(t: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token !== undefined && token.kind !== 'string' && token.t === t;
  }

  body(end?: string): Block {
    const block: Block = { type: '', labels: [], attrs: {}, blocks: [] };
    while (this.peek() && !(end && this.is(end))) {
      const name = this.next();
      if (name.kind !== 'word') throw new HclError(`expected an attribute or block name, found \`${name.t}\``, name.line, name.col);
      if (this.is('=')) {
        this.p++;
        block.attrs[name.t] = this.expr();
        continue;
      }
      const labels: string[] = [];
      while (this.peek()?.kind === 'string') labels.push(this.next().t);
      this.expect('{');
      const inner = this.body('}');
      this.expect('}');
      block.blocks.push({ ...inner, type: name.t, labels });
    }
    return block;
  }

  expr(): Expr {
    let left = this.term();
    while (this.is('+') || this.is('-')) {
      const at = this.next();
      left = { k: 'bin', op: at.t, left, right: this.term(), at };
    }
    return left;
  }
  term(): Expr {
    let left = this.postfix();
    while (this.is('*') || this.is('/')) {
      const at = this.next();
      left = { k: 'bin', op: at.t, left, right: this.postfix(), at };
    }
    return left;
  }
  postfix(): Expr {
    let e = this.primary();
    while (this.is('[')) {
      this.p++;
      e = { k: 'index', target: e, index: this.expr() };
      this.expect(']');
    }
    return e;
  }
  primary(): Expr {
    const token = this.next();
    if (token.kind === 'string') return { k: 'tpl', raw: token.t, at: token };
    if (token.kind === 'number') return { k: 'lit', v: Number(token.t) };
    if (token.t === '(') {
      const e = this.expr();
      this.expect(')');
      return e;
    }
    if (token.t === '[') {
      if (this.peek()?.t === 'for' && this.peek()?.kind === 'word') {
        this.p++;
        const first = this.next().t;
        let key: string | undefined;
        let value = first;
        if (this.is(',')) {
          this.p++;
          key = first;
          value = this.next().t;
        }
        const inWord = this.next();
        if (inWord.t !== 'in') throw new HclError('expected `in` in a for expression', inWord.line, inWord.col);
        const source = this.expr();
        this.expect(':');
        const body = this.expr();
        this.expect(']');
        return { k: 'for', key, value, source, body };
      }
      const items: Expr[] = [];
      while (!this.is(']')) {
        items.push(this.expr());
        if (this.is(',')) this.p++;
      }
      this.p++;
      return { k: 'list', items };
    }
    if (token.t === '{') {
      const entries: [string, Expr][] = [];
      while (!this.is('}')) {
        const key = this.next();
        const sep = this.next();
        if (sep.t !== '=' && sep.t !== ':') throw new HclError('expected `=` in a map', sep.line, sep.col);
        entries.push([key.t, this.expr()]);
        if (this.is(',')) this.p++;
      }
      this.p++;
      return { k: 'map', entries };
    }
    if (token.kind === 'word') {
      if (token.t === 'true' || token.t === 'false') return { k: 'lit', v: token.t === 'true' };
      if (token.t === 'null') return { k: 'lit', v: null };
      if (this.is('(')) {
        this.p++;
        const args: Expr[] = [];
        while (!this.is(')')) {
          args.push(this.expr());
          if (this.is(',')) this.p++;
        }
        this.p++;
        return { k: 'call', name: token.t, args, at: token };
      }
      return { k: 'ref', name: token.t, at: token };
    }
    throw new HclError(`unexpected \`${token.t}\``, token.line, token.col);
  }
}

export function parseHcl(text: string): Block {
  const parser = new Parser(tokenize(text));
  return parser.body();
}

/** One expression (the inside of a template's `${…}`), reported at `at`. */
export function parseExpression(text: string, at: { line: number; col: number }): Expr {
  return new Parser(tokenize(text).map((t) => ({ ...t, line: at.line, col: at.col }))).expr();
}
