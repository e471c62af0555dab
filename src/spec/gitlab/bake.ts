/**
 * The subset of `docker buildx bake` HCL that Kokkuri's `.kokkuri:bake` jobs use (kokkuri.md
 * §1.3): `variable "X" { default = … }`, `target "t" { inherits, context, dockerfile, target,
 * args, platforms, tags, output, attest }`, `group "g" { targets }`, strings with `${VAR}`,
 * bare variable names, lists, maps, and `#`, `//`, `/* *\/` comments. Pure.
 */

export class BakeError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

type Value = string | Value[] | { [key: string]: Value };

interface Block {
  kind: string;
  name: string;
  body: Record<string, Value>;
}

export interface BakeTarget {
  name: string;
  /** The Blubber variant (`target =`), default the target name. */
  variant: string;
  context: string;
  dockerfile: string;
  args: Record<string, string>;
  platforms: string[];
  tags: string[];
  /** `registry` (pushed: local tags for devpipe), `local` (files to `dest`), or none (build only). */
  output: { type: 'registry' } | { type: 'local'; dest: string } | { type: 'none' } | { type: 'other'; text: string };
  attest: string[];
}

function tokenize(text: string): { t: string; line: number; col: number }[] {
  const out: { t: string; line: number; col: number }[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      lineStart = i + 1;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const skipped = text.slice(i, end < 0 ? text.length : end + 2);
      for (const ch of skipped) if (ch === '\n') line++;
      i = end < 0 ? text.length : end + 2;
      continue;
    }
    const col = i - lineStart + 1;
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) {
          s += text[j + 1] === 'n' ? '\n' : text[j + 1];
          j += 2;
        } else s += text[j++];
      }
      if (j >= text.length) throw new BakeError('a string is not closed', line, col);
      out.push({ t: `"${s}`, line, col });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z0-9_.-]+/.exec(text.slice(i));
    if (word) {
      out.push({ t: word[0], line, col });
      i += word[0].length;
      continue;
    }
    if ('{}[]=,:'.includes(c)) {
      out.push({ t: c, line, col });
      i++;
      continue;
    }
    throw new BakeError(`unexpected character ${JSON.stringify(c)}`, line, col);
  }
  return out;
}

function parseBlocks(text: string): Block[] {
  const tokens = tokenize(text);
  let p = 0;
  const peek = () => tokens[p];
  const next = () => {
    const token = tokens[p++];
    if (!token) {
      const last = tokens.at(-1);
      throw new BakeError('the file ends inside a block', last?.line ?? 1, last?.col ?? 1);
    }
    return token;
  };
  const expect = (t: string) => {
    const token = next();
    if (token.t !== t) throw new BakeError(`expected \`${t}\`, found \`${token.t.replace(/^"/, '')}\``, token.line, token.col);
  };
  const value = (): Value => {
    const token = next();
    if (token.t.startsWith('"')) return token.t.slice(1);
    if (token.t === '[') {
      const list: Value[] = [];
      while (peek()?.t !== ']') {
        list.push(value());
        if (peek()?.t === ',') p++;
      }
      p++;
      return list;
    }
    if (token.t === '{') {
      const map: Record<string, Value> = {};
      while (peek()?.t !== '}') {
        const key = next().t.replace(/^"/, '');
        const sep = next();
        if (sep.t !== '=' && sep.t !== ':') throw new BakeError('expected `=` in a map', sep.line, sep.col);
        map[key] = value();
        if (peek()?.t === ',') p++;
      }
      p++;
      return map;
    }
    // A bare word: a variable reference (or true/false/number, kept as text).
    return `\${${token.t}}`;
  };
  const blocks: Block[] = [];
  while (p < tokens.length) {
    const kind = next();
    const label = next();
    if (!label.t.startsWith('"')) throw new BakeError(`expected a quoted name after \`${kind.t}\``, label.line, label.col);
    expect('{');
    const body: Record<string, Value> = {};
    while (peek()?.t !== '}') {
      const key = next();
      expect('=');
      body[key.t] = value();
    }
    p++;
    blocks.push({ kind: kind.t, name: label.t.slice(1), body });
  }
  return blocks;
}

function interpolate(value: Value, vars: Record<string, string>): Value {
  if (typeof value === 'string') return value.replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, name: string) => vars[name] ?? (name === 'true' || name === 'false' || /^\d+$/.test(name) ? name : m));
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars)]));
}

const asList = (v: Value | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function outputOf(value: Value | undefined): BakeTarget['output'] {
  const first = asList(value)[0];
  if (!first) return { type: 'none' };
  const fields = Object.fromEntries(first.split(',').map((kv) => [kv.split('=')[0]!.trim(), kv.slice(kv.indexOf('=') + 1).trim()]));
  if (fields.type === 'registry' || (fields.type === 'image' && fields.push === 'true')) return { type: 'registry' };
  if (fields.type === 'local' && fields.dest) return { type: 'local', dest: fields.dest };
  return { type: 'other', text: first };
}

/** The targets `requested` names (targets or groups, recursively), variables overridden by `env`. */
export function bakeTargets(text: string, requested: readonly string[], env: Record<string, string>): BakeTarget[] {
  const blocks = parseBlocks(text);
  const vars: Record<string, string> = {};
  for (const b of blocks.filter((b) => b.kind === 'variable')) vars[b.name] = env[b.name] ?? (typeof b.body.default === 'string' ? b.body.default : '');
  const targets = new Map(blocks.filter((b) => b.kind === 'target').map((b) => [b.name, b.body]));
  const groups = new Map(blocks.filter((b) => b.kind === 'group').map((b) => [b.name, asList(b.body.targets)]));
  const resolveBody = (name: string, trail: string[]): Record<string, Value> => {
    const body = targets.get(name);
    if (!body) throw new BakeError(`no target \`${name}\` in the bake file (targets: ${[...targets.keys()].join(', ')})`, 1, 1);
    if (trail.includes(name)) throw new BakeError(`inherits forms a cycle: ${[...trail, name].join(' → ')}`, 1, 1);
    let merged: Record<string, Value> = {};
    for (const parent of asList(body.inherits)) merged = { ...merged, ...resolveBody(parent, [...trail, name]) };
    const { inherits: _inherits, ...own } = body;
    return { ...merged, ...own };
  };
  const names: string[] = [];
  const expandName = (name: string, trail: string[]) => {
    if (groups.has(name) && !targets.has(name)) {
      if (trail.includes(name)) throw new BakeError(`group \`${name}\` contains itself`, 1, 1);
      for (const t of groups.get(name)!) expandName(t, [...trail, name]);
    } else if (!names.includes(name)) names.push(name);
  };
  for (const name of requested) expandName(name, []);
  return names.map((name) => {
    const body = interpolate(resolveBody(name, []), vars) as Record<string, Value>;
    const args = typeof body.args === 'object' && !Array.isArray(body.args) ? Object.fromEntries(Object.entries(body.args).map(([k, v]) => [k, String(v)])) : {};
    return {
      name,
      variant: typeof body.target === 'string' ? body.target : name,
      context: typeof body.context === 'string' ? body.context : '.',
      dockerfile: typeof body.dockerfile === 'string' ? body.dockerfile : 'Dockerfile',
      args,
      platforms: asList(body.platforms),
      tags: asList(body.tags),
      output: outputOf(body.output),
      attest: asList(body.attest),
    };
  });
}
