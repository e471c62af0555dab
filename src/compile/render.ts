/**
 * Instructions → Dockerfile text, in the shape of Blubber v0.23.0's Dockerfile compiler: one
 * `FROM … AS <name>` per stage, a blank line after each stage, the LABEL line last. Only
 * syntax the Docker Engine 20.10 embedded frontend understands (RUN --mount is the newest).
 */
import { quote, type Instruction, type RunMount, type Stage } from './instructions.js';

/** A JSON array as the Dockerfile's exec form and COPY write it: `["a", "b"]`. */
export function json(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;
}

/** A `--mount` option value: comma separated key=value, CSV-quoted when needed. */
function mountOption(mount: RunMount): string {
  const fields: [string, string | number | undefined][] =
    mount.type === 'bind'
      ? [['type', 'bind'], ['from', mount.from], ['source', mount.source], ['target', mount.target]]
      : [['type', 'cache'], ['target', mount.target], ['id', mount.id], ['sharing', mount.sharing], ['uid', mount.uid], ['gid', mount.gid]];
  const parts = fields
    .filter((f): f is [string, string | number] => f[1] !== undefined)
    .map(([k, v]) => {
      const field = `${k}=${v}`;
      return /[,"]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
    });
  if (mount.type === 'bind' && mount.rw) parts.push('rw');
  return `--mount=${parts.join(',')}`;
}

/** The shell RUN devpipe writes in exec form: `/bin/sh -c` as the shell form would run it. */
export const EXEC_SHELL = ['/bin/sh', '-c'] as const;

/**
 * A RUN's command text. Shell form (Blubber's) unless it would not survive the Dockerfile
 * parser: a line break (a multi-line `command: |` string) would end the instruction, a trailing
 * backslash would continue it, and text that parses as a JSON array would be read as exec form.
 * Those are written as exec form `["/bin/sh", "-c", "…"]` with JSON escaping (quotes included),
 * which runs the same command through the same shell.
 */
export function runCommand(command: string): string {
  return /[\r\n]/.test(command) || /\\\s*$/.test(command) || parsesAsExecForm(command) ? json([...EXEC_SHELL, command]) : command;
}

/** What Docker's Dockerfile parser takes for exec form: text starting `[` that is a JSON array. */
export function parsesAsExecForm(command: string): boolean {
  if (!command.trimStart().startsWith('[')) return false;
  try {
    return Array.isArray(JSON.parse(command));
  } catch {
    return false;
  }
}

export function renderInstruction(instruction: Instruction): string {
  switch (instruction.kind) {
    case 'from':
      return `FROM ${instruction.image} AS ${instruction.as}`;
    case 'user':
      return `USER ${instruction.user}`;
    case 'env':
      return `ENV ${instruction.vars.map(([k, v]) => `${k}=${quote(v)}`).join(' ')}`;
    case 'arg':
      return `ARG ${instruction.name}=${typeof instruction.value === 'number' ? String(instruction.value) : quote(instruction.value)}`;
    case 'run': {
      const mounts = (instruction.mounts ?? []).map(mountOption);
      return ['RUN', ...mounts, runCommand(instruction.command)].join(' ');
    }
    case 'copy': {
      const flags = [instruction.chown !== undefined ? `--chown=${instruction.chown}` : '', instruction.from !== undefined ? `--from=${instruction.from}` : ''].filter(Boolean);
      return ['COPY', ...flags, json([...instruction.sources, instruction.destination])].join(' ');
    }
    case 'workdir':
      return `WORKDIR ${quote(instruction.path)}`;
    case 'entrypoint':
      return `ENTRYPOINT ${json(instruction.args)}`;
    case 'label':
      return `LABEL ${instruction.labels.map(([k, v]) => `${k}=${quote(v)}`).join(' ')}`;
    case 'comment':
      return instruction.text
        .split('\n')
        .map((line) => `# ${line}`.trimEnd())
        .join('\n');
  }
}

/** The whole Dockerfile: stages separated by blank lines, trailing LABELs after the last one. */
export function renderDockerfile(stages: readonly Stage[]): string {
  const lines: string[] = [];
  const trailing: string[] = [];
  stages.forEach((stage, index) => {
    const instructions = [...stage.instructions];
    if (index === stages.length - 1) {
      while (instructions.length > 0 && instructions[instructions.length - 1]?.kind === 'label') {
        const label = instructions.pop();
        if (label) trailing.unshift(renderInstruction(label));
      }
    }
    for (const instruction of instructions) lines.push(renderInstruction(instruction));
    lines.push('');
  });
  lines.push(...trailing);
  return `${lines.join('\n')}\n`;
}
