/**
 * Go text/template, part 3: evaluate a parsed template against Helm's data (`.Values`,
 * `.Release`, `.Chart`, …). `include`/`template` of a define that is not loaded renders "" and is
 * recorded (vendor modules devpipe drops anyway: the mesh sidecar, security contexts). Pure.
 */
import { TemplateError } from './lex.js';
import { builtins, isMapValue, printValue, truthy, type Value } from './funcs.js';
import { parseTemplate, type Arg, type Node, type Pipe } from './parse.js';

export interface RenderContext {
  defines: Map<string, Node[]>;
  /** Defines asked for but not found. */
  missing: Set<string>;
}

type Scope = Map<string, Value>[];

function lookup(v: Value, path: readonly string[]): Value {
  let cur = v;
  for (const key of path) {
    if (!isMapValue(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function getVar(scope: Scope, name: string, line: number): Value {
  for (let i = scope.length - 1; i >= 0; i--) if (scope[i]?.has(name)) return scope[i]?.get(name);
  throw new TemplateError(`undefined variable $${name}`, line);
}

function setVar(scope: Scope, name: string, value: Value, op: ':=' | '='): void {
  if (op === '=') for (let i = scope.length - 1; i >= 0; i--) if (scope[i]?.has(name)) return void scope[i]?.set(name, value);
  scope[scope.length - 1]?.set(name, value);
}

class Renderer {
  constructor(private readonly ctx: RenderContext) {}

  #depth = 0;

  include(name: string, data: Value): string {
    const body = this.ctx.defines.get(name);
    if (!body) {
      this.ctx.missing.add(name);
      return '';
    }
    // Go stops runaway recursion at 100000 levels; charts never nest deeper than a few.
    if (this.#depth >= 100) throw new TemplateError(`template "${name}" includes itself too deeply`);
    this.#depth++;
    try {
      return this.nodes(body, data, [new Map([['', data]])]);
    } finally {
      this.#depth--;
    }
  }

  arg(arg: Arg, dot: Value, scope: Scope, line: number): Value {
    switch (arg.a) {
      case 'field': return arg.path.length === 0 ? dot : lookup(dot, arg.path);
      case 'var': return lookup(getVar(scope, arg.name, line), arg.path);
      case 'lit': return arg.value;
      case 'sub': return lookup(this.pipe(arg.pipe, dot, scope, line), arg.path);
      case 'ident': return this.call(arg.name, [], dot, scope, line);
    }
  }

  call(name: string, args: Value[], dot: Value, _scope: Scope, line: number): Value {
    if (name === 'include') return this.include(printValue(args[0]), args[1]);
    if (name === 'tpl') return this.source(printValue(args[0]), args[1]);
    const fn = builtins[name];
    if (!fn) throw new TemplateError(`function "${name}" is not supported by devpipe's template reader`, line);
    void dot;
    return fn(...args);
  }

  pipe(pipe: Pipe, dot: Value, scope: Scope, line: number): Value {
    let piped: Value = undefined;
    let hasPiped = false;
    for (const cmd of pipe.cmds) {
      const [head, ...rest] = cmd;
      if (!head) continue;
      if (head.a === 'ident' && head.name !== 'and' && head.name !== 'or') {
        const args = rest.map((a) => this.arg(a, dot, scope, line));
        if (hasPiped) args.push(piped);
        piped = this.call(head.name, args, dot, scope, line);
      } else if (head.a === 'ident') {
        // and/or evaluate lazily and return an operand, like Go.
        const operands = [...rest.map((a) => () => this.arg(a, dot, scope, line)), ...(hasPiped ? [() => piped] : [])];
        let result: Value = undefined;
        for (const operand of operands) {
          result = operand();
          if (head.name === 'and' ? !truthy(result) : truthy(result)) break;
        }
        piped = result;
      } else {
        const value = this.arg(head, dot, scope, line);
        if (typeof value === 'function') {
          // A method of the data (`.Files.Get "path"`).
          const args = rest.map((a) => this.arg(a, dot, scope, line));
          if (hasPiped) args.push(piped);
          piped = (value as (...a: Value[]) => Value)(...args);
        } else {
          if (rest.length > 0) throw new TemplateError('a value cannot take arguments', line);
          piped = value;
        }
      }
      hasPiped = true;
    }
    if (pipe.decl) {
      const [first] = pipe.decl.names;
      if (first !== undefined) setVar(scope, first, piped, pipe.decl.op);
    }
    return piped;
  }

  nodes(list: readonly Node[], dot: Value, scope: Scope): string {
    let out = '';
    for (const node of list) out += this.node(node, dot, scope);
    return out;
  }

  node(node: Node, dot: Value, scope: Scope): string {
    switch (node.k) {
      case 'text': return node.text;
      case 'print': {
        const value = this.pipe(node.pipe, dot, scope, node.line);
        return node.pipe.decl ? '' : printValue(value);
      }
      case 'template': return this.include(node.name, node.pipe ? this.pipe(node.pipe, dot, scope, node.line) : undefined);
      case 'if':
      case 'with': {
        const inner: Scope = [...scope, new Map()];
        const value = this.pipe(node.pipe, dot, inner, node.line);
        if (!truthy(value)) return this.nodes(node.otherwise, dot, scope);
        return this.nodes(node.body, node.k === 'with' ? value : dot, inner);
      }
      case 'range': {
        const decl = node.pipe.decl;
        const value = this.pipe({ cmds: node.pipe.cmds }, dot, scope, node.line);
        const entries: [Value, Value][] = Array.isArray(value)
          ? value.map((v, i) => [i, v])
          : isMapValue(value)
            ? Object.keys(value).sort().map((k) => [k, value[k]])
            : typeof value === 'number'
              ? Array.from({ length: Math.max(0, Math.min(Math.trunc(value), 10_000)) }, (_, i) => [i, i])
              : [];
        if (entries.length === 0) return this.nodes(node.otherwise, dot, scope);
        let out = '';
        for (const [key, item] of entries) {
          const inner: Scope = [...scope, new Map()];
          if (decl && decl.names.length === 1) inner[inner.length - 1]?.set(decl.names[0] ?? '', item);
          if (decl && decl.names.length === 2) {
            inner[inner.length - 1]?.set(decl.names[0] ?? '', key);
            inner[inner.length - 1]?.set(decl.names[1] ?? '', item);
          }
          out += this.nodes(node.body, item, inner);
        }
        return out;
      }
    }
  }

  source(text: string, data: Value): string {
    const parsed = parseTemplate(text);
    for (const [name, body] of parsed.defines) this.ctx.defines.set(name, body);
    return this.nodes(parsed.root, data, [new Map([['', data]])]);
  }
}

/** Loads every file's defines (vendor modules, `_config.yaml`, …). */
export function loadDefines(files: readonly { name: string; text: string }[]): { defines: Map<string, Node[]>; errors: string[] } {
  const defines = new Map<string, Node[]>();
  const errors: string[] = [];
  for (const file of files) {
    try {
      for (const [name, body] of parseTemplate(file.text).defines) defines.set(name, body);
    } catch (error) {
      errors.push(`${file.name}: ${(error as Error).message}`);
    }
  }
  return { defines, errors };
}

/** Renders one template file's top level (its defines are already loaded). */
export function renderTemplate(text: string, data: Value, ctx: RenderContext): string {
  const parsed = parseTemplate(text);
  return new Renderer(ctx).nodes(parsed.root, data, [new Map([['', data]])]);
}

export function renderDefine(name: string, data: Value, ctx: RenderContext): string {
  return new Renderer(ctx).include(name, data);
}
