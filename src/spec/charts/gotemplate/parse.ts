/** Go text/template, part 2: pieces → a tree of nodes (if/range/with/define/template). Pure. */
import { splitTemplate, TemplateError, tokenize, type Token } from './lex.js';

export type Arg =
  | { a: 'field'; path: string[] }
  | { a: 'var'; name: string; path: string[] }
  | { a: 'lit'; value: unknown }
  | { a: 'ident'; name: string }
  | { a: 'sub'; pipe: Pipe; path: string[] };

export interface Pipe {
  decl?: { names: string[]; op: ':=' | '=' } | undefined;
  cmds: Arg[][];
}

export type Node =
  | { k: 'text'; text: string }
  | { k: 'print'; pipe: Pipe; line: number }
  | { k: 'if' | 'with'; pipe: Pipe; body: Node[]; otherwise: Node[]; line: number }
  | { k: 'range'; pipe: Pipe; body: Node[]; otherwise: Node[]; line: number }
  | { k: 'template'; name: string; pipe: Pipe | undefined; line: number };

export interface Parsed {
  root: Node[];
  defines: Map<string, Node[]>;
}

function parsePipe(tokens: Token[], line: number): Pipe {
  let pos = 0;
  let decl: Pipe['decl'];
  const assign = tokens.findIndex((t) => t.t === 'punct' && (t.value === ':=' || t.value === '='));
  if (assign > 0 && tokens.slice(0, assign).every((t) => t.t === 'var' || (t.t === 'punct' && t.value === ','))) {
    const op = (tokens[assign] as { value: ':=' | '=' }).value;
    decl = { names: tokens.slice(0, assign).flatMap((t) => (t.t === 'var' ? [t.name] : [])), op };
    pos = assign + 1;
  }
  const parseCmds = (stopAtParen: boolean): Arg[][] => {
    const cmds: Arg[][] = [[]];
    while (pos < tokens.length) {
      const tok = tokens[pos++] as Token;
      const cmd = cmds[cmds.length - 1] as Arg[];
      if (tok.t === 'punct') {
        if (tok.value === '|') cmds.push([]);
        else if (tok.value === '(') {
          const inner = parseCmds(true);
          const next = tokens[pos];
          let path: string[] = [];
          if (next && next.t === 'fieldOf') {
            path = next.path;
            pos++;
          }
          cmd.push({ a: 'sub', pipe: { cmds: inner }, path });
        } else if (tok.value === ')') {
          if (stopAtParen) return cmds;
          throw new TemplateError('unexpected )', line);
        } else throw new TemplateError(`unexpected ${tok.value}`, line);
      } else if (tok.t === 'field' || tok.t === 'fieldOf') cmd.push({ a: 'field', path: tok.path });
      else if (tok.t === 'var') cmd.push({ a: 'var', name: tok.name, path: tok.path });
      else if (tok.t === 'string' || tok.t === 'number') cmd.push({ a: 'lit', value: tok.value });
      else if (tok.name === 'true' || tok.name === 'false') cmd.push({ a: 'lit', value: tok.name === 'true' });
      else if (tok.name === 'nil') cmd.push({ a: 'lit', value: undefined });
      else cmd.push({ a: 'ident', name: tok.name });
    }
    if (stopAtParen) throw new TemplateError('unclosed (', line);
    return cmds;
  };
  const cmds = parseCmds(false);
  if (cmds.some((c) => c.length === 0)) throw new TemplateError('empty command in pipeline', line);
  return { decl, cmds };
}

interface Frame {
  kind: 'root' | 'if' | 'with' | 'range' | 'define';
  node?: Extract<Node, { k: 'if' | 'with' | 'range' }>;
  name?: string;
  list: Node[];
  /** `else if` chains close together with one `end`. */
  chained: number;
}

export function parseTemplate(src: string): Parsed {
  const defines = new Map<string, Node[]>();
  const stack: Frame[] = [{ kind: 'root', list: [], chained: 0 }];
  const top = () => stack[stack.length - 1] as Frame;
  for (const piece of splitTemplate(src)) {
    if (piece.kind === 'text') {
      top().list.push({ k: 'text', text: piece.text });
      continue;
    }
    const { body, line } = piece;
    const tokens = tokenize(body, line);
    const head = tokens[0];
    const word = head?.t === 'ident' ? head.name : '';
    if (word === 'if' || word === 'with' || word === 'range') {
      const node = { k: word, pipe: parsePipe(tokens.slice(1), line), body: [], otherwise: [], line } as Extract<Node, { k: 'if' | 'with' | 'range' }>;
      top().list.push(node);
      stack.push({ kind: word, node, list: node.body, chained: 0 });
    } else if (word === 'else') {
      const frame = top();
      if (!frame.node) throw new TemplateError('else outside if/with/range', line);
      const rest = tokens.slice(1);
      const next = rest[0];
      if (next?.t === 'ident' && (next.name === 'if' || next.name === 'with')) {
        const node = { k: next.name, pipe: parsePipe(rest.slice(1), line), body: [], otherwise: [], line } as Extract<Node, { k: 'if' | 'with' }>;
        frame.node.otherwise.push(node);
        frame.node = node;
        frame.list = node.body;
        frame.chained++;
      } else frame.list = frame.node.otherwise;
    } else if (word === 'end') {
      const frame = stack.pop();
      if (!frame || frame.kind === 'root') throw new TemplateError('unexpected end', line);
      if (frame.kind === 'define' && frame.name !== undefined) defines.set(frame.name, frame.list);
    } else if (word === 'define') {
      const name = tokens[1];
      if (name?.t !== 'string') throw new TemplateError('define needs a name', line);
      stack.push({ kind: 'define', name: name.value, list: [], chained: 0 });
    } else if (word === 'template' || word === 'block') {
      const name = tokens[1];
      if (name?.t !== 'string') throw new TemplateError(`${word} needs a name`, line);
      const pipe = tokens.length > 2 ? parsePipe(tokens.slice(2), line) : undefined;
      top().list.push({ k: 'template', name: name.value, pipe, line });
      if (word === 'block') stack.push({ kind: 'define', name: name.value, list: [], chained: 0 });
    } else if (word === 'break' || word === 'continue') {
      throw new TemplateError(`${word} is not supported`, line);
    } else {
      top().list.push({ k: 'print', pipe: parsePipe(tokens, line), line });
    }
  }
  if (stack.length !== 1) throw new TemplateError(`unclosed {{ ${top().kind} }}`);
  return { root: (stack[0] as Frame).list, defines };
}
