/** A recording ProcessRunner: answers from a table of (command line → result) rules, records every call. */
import type { ProcessResult, ProcessRunner } from '../../src/ports.js';

export interface RecordedCall {
  command: string;
  args: string[];
  cwd?: string | undefined;
}

export type Rule = { match: (call: RecordedCall) => boolean; result: ProcessResult | ((call: RecordedCall) => ProcessResult); lines?: string[] };

export class RecordingProcessRunner implements ProcessRunner {
  readonly calls: RecordedCall[] = [];
  constructor(private readonly rules: Rule[] = []) {}

  async run(command: string, args: readonly string[], options: { cwd?: string; onLine?: (line: string) => void } = {}): Promise<ProcessResult> {
    const call = { command, args: [...args], cwd: options.cwd };
    this.calls.push(call);
    const rule = this.rules.find((r) => r.match(call));
    if (!rule) return { exitCode: 127, stdout: '', stderr: `${command}: not found` };
    for (const line of rule.lines ?? []) options.onLine?.(line);
    return typeof rule.result === 'function' ? rule.result(call) : rule.result;
  }

  async which(): Promise<string | undefined> {
    return undefined;
  }
}

export const ok = (stdout = ''): ProcessResult => ({ exitCode: 0, stdout, stderr: '' });
export const failed = (stderr: string, exitCode = 1): ProcessResult => ({ exitCode, stdout: '', stderr });
export const line = (command: string, ...prefix: string[]) => (call: RecordedCall) =>
  call.command === command && prefix.every((p, i) => call.args[i] === p);
