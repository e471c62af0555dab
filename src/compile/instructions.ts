/**
 * The typed instruction list a Blubber variant compiles to. Tests look at these; render.ts turns
 * them into Dockerfile text in the shape of Blubber v0.23.0's Dockerfile compiler.
 */

/** The five build phases of Blubber (build/phases.go), in order. */
export type Phase = 'privileged' | 'privilege-dropped' | 'pre-install' | 'install' | 'post-install';

export type RunMount =
  | { type: 'bind'; from?: string | undefined; source?: string | undefined; target: string; rw?: boolean }
  | { type: 'cache'; target: string; id: string; sharing: 'shared' | 'private' | 'locked'; uid: number; gid: number };

export type Instruction =
  | { kind: 'from'; image: string; as: string }
  | { kind: 'user'; user: string }
  | { kind: 'env'; vars: readonly (readonly [string, string])[] }
  | { kind: 'arg'; name: string; value: string | number }
  | { kind: 'run'; command: string; mounts?: readonly RunMount[] }
  | { kind: 'copy'; sources: readonly string[]; destination: string; chown?: string | undefined; from?: string | undefined }
  | { kind: 'workdir'; path: string }
  | { kind: 'entrypoint'; args: readonly string[] }
  | { kind: 'label'; labels: readonly (readonly [string, string])[] }
  /** A `#` comment line explaining generated stages. */
  | { kind: 'comment'; text: string };

export type PhasedInstruction = Instruction & { phase?: Phase };

export interface Stage {
  /** The stage name (`FROM … AS name`): the variant, or a generated helper stage. */
  name: string;
  /** The base image or stage; `scratch` for none. */
  base: string;
  /** `variant` for a Blubber variant; `helper` for a stage devpipe adds (copy excludes). */
  role: 'variant' | 'helper';
  instructions: PhasedInstruction[];
}

/** Go's `%q`: double quotes, backslash escapes; `$` is not escaped (the shell still expands it). */
export function quote(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += char;
  }
  return `${out}"`;
}

/**
 * One shell command from a template: each `%s` takes the next argument (quoted), the remaining
 * arguments are appended quoted (Blubber's RunAll). `run('chown %s:%s', 'a', 'b', '/dir')` →
 * `chown "a":"b" "/dir"`.
 */
export function shell(template: string, ...args: string[]): string {
  let i = 0;
  const filled = template.replace(/%s/g, () => quote(args[i++] ?? ''));
  const rest = args.slice(i).map(quote);
  return rest.length > 0 ? `${filled} ${rest.join(' ')}` : filled;
}

/** Commands joined with ` && ` into one RUN. */
export function run(commands: readonly string[], mounts?: readonly RunMount[]): Instruction {
  const command = commands.join(' && ');
  return mounts && mounts.length > 0 ? { kind: 'run', command, mounts } : { kind: 'run', command };
}

/** COPY with Blubber's rule: several sources need a directory destination (trailing `/`). */
export function copy(sources: readonly string[], destination: string, options: { chown?: string | undefined; from?: string | undefined } = {}): Instruction {
  const dest = sources.length > 1 && !destination.endsWith('/') ? `${destination}/` : destination;
  const out: Instruction = { kind: 'copy', sources, destination: dest };
  if (options.chown !== undefined) out.chown = options.chown;
  if (options.from !== undefined) out.from = options.from;
  return out;
}

export function env(vars: Record<string, string>): Instruction | undefined {
  const keys = Object.keys(vars).sort();
  if (keys.length === 0) return undefined;
  return { kind: 'env', vars: keys.map((k) => [k, vars[k] ?? ''] as const) };
}

export function withPhase(phase: Phase, instructions: readonly (Instruction | undefined)[]): PhasedInstruction[] {
  return instructions.filter((i): i is Instruction => i !== undefined).map((i) => ({ ...i, phase }));
}

/** A user's home directory as Blubber computes it. */
export function homeOf(user: string): string {
  return user === 'root' ? '/root' : `/home/${user}`;
}
