/**
 * Go text/template (as Helm uses it), part 1: split a template into text and actions, applying
 * the `{{-`/`-}}` whitespace trims and dropping comments, then tokenize each action. Only what
 * deployment-charts' templates use; anything else is a TemplateError naming the line. Pure.
 */

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line !== undefined ? `line ${line}: ${message}` : message);
  }
}

export type Piece = { kind: 'text'; text: string } | { kind: 'action'; body: string; line: number };

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** The end of an action starting at `from` (just after `{{`): skips strings and comments. */
function actionEnd(src: string, from: number, line: number): number {
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === '"') {
      i++;
      while (i < src.length && src[i] !== '"') i += src[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '`') {
      i = src.indexOf('`', i + 1) + 1;
      if (i === 0) throw new TemplateError('unterminated raw string', line);
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw new TemplateError('unterminated comment', line);
      i = end + 2;
    } else if (c === '}' && src[i + 1] === '}') {
      return i;
    } else i++;
  }
  throw new TemplateError('unclosed action', line);
}

export function splitTemplate(src: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^[ \t\r\n]+/, '');
    if (open < 0) {
      if (text) pieces.push({ kind: 'text', text });
      break;
    }
    const line = src.slice(0, open).split('\n').length;
    let start = open + 2;
    if (src[start] === '-' && isSpace(src[start + 1])) {
      text = text.replace(/[ \t\r\n]+$/, '');
      start++;
    }
    if (text) pieces.push({ kind: 'text', text });
    const close = actionEnd(src, start, line);
    let body = src.slice(start, close);
    trimNext = false;
    if (body.endsWith('-') && isSpace(body[body.length - 2])) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    body = body.trim();
    if (!(body.startsWith('/*') && body.endsWith('*/'))) pieces.push({ kind: 'action', body, line });
    i = close + 2;
  }
  return pieces;
}

export type Token =
  | { t: 'field'; path: string[] } // .a.b, or [] for `.`
  | { t: 'var'; name: string; path: string[] } // $x.a, $ is name ''
  | { t: 'string'; value: string }
  | { t: 'number'; value: number }
  | { t: 'ident'; name: string }
  | { t: 'punct'; value: '(' | ')' | '|' | ':=' | '=' | ',' }
  | { t: 'fieldOf'; path: string[] }; // `.a` right after `)`

export function tokenize(body: string, line: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  const fieldPath = (): string[] => {
    const path: string[] = [];
    while (body[i] === '.') {
      i++;
      const m = /^[A-Za-z0-9_]*/.exec(body.slice(i))?.[0] ?? '';
      i += m.length;
      if (m) path.push(m);
    }
    return path;
  };
  while (i < body.length) {
    const c = body[i] ?? '';
    if (isSpace(c)) {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      let value: string;
      try {
        value = JSON.parse(body.slice(i, j + 1).replace(/\\([^"\\/bfnrtu])/g, '$1')) as string;
      } catch {
        throw new TemplateError(`bad string literal ${body.slice(i, Math.min(j + 1, i + 40))}`, line);
      }
      out.push({ t: 'string', value });
      i = j + 1;
    } else if (c === '`') {
      const j = body.indexOf('`', i + 1);
      if (j < 0) throw new TemplateError('unterminated raw string', line);
      out.push({ t: 'string', value: body.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '.') {
      const prev = out[out.length - 1];
      const path = fieldPath();
      out.push(prev && prev.t === 'punct' && prev.value === ')' && !isSpace(body[i - path.join('.').length - 2]) ? { t: 'fieldOf', path } : { t: 'field', path });
    } else if (c === '$') {
      i++;
      const name = /^[A-Za-z0-9_]*/.exec(body.slice(i))?.[0] ?? '';
      i += name.length;
      out.push({ t: 'var', name, path: fieldPath() });
    } else if (c === ':' && body[i + 1] === '=') {
      out.push({ t: 'punct', value: ':=' });
      i += 2;
    } else if ('()|=,'.includes(c)) {
      out.push({ t: 'punct', value: c as '(' | ')' | '|' | '=' | ',' });
      i++;
    } else if (/[-+0-9]/.test(c)) {
      const m = /^[-+]?(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)/.exec(body.slice(i))?.[0];
      if (!m) throw new TemplateError(`unexpected "${c}"`, line);
      out.push({ t: 'number', value: Number(m) });
      i += m.length;
    } else if (c === "'") {
      const end = body.indexOf("'", i + 2);
      if (end < 0) throw new TemplateError('unterminated character constant', line);
      out.push({ t: 'number', value: body.charCodeAt(i + 1) });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z0-9_]+/.exec(body.slice(i))?.[0] ?? '';
      out.push({ t: 'ident', name: m });
      i += m.length;
    } else throw new TemplateError(`unexpected "${c}" in {{ ${body} }}`, line);
  }
  return out;
}
