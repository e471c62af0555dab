/**
 * ExecaProcessRunner: every subprocess goes through here, with a timeout and an AbortSignal. On
 * failure the DevpipeError keeps the evidence: command line, exit code, last lines of stderr.
 * A short call whose output is only captured (git's questions, `docker compose version`) runs on
 * node:child_process directly (captured.ts): execa is 120 modules to load, a fifth of a cached
 * `devpipe ci`. Streaming calls (`onLine`) load execa when first used.
 */
import { DevpipeError } from '../errors.js';
import { runCaptured } from './captured.js';
import type { ProcessResult, ProcessRunner } from '../ports.js';

export class ExecaProcessRunner implements ProcessRunner {
  async run(
    command: string,
    args: readonly string[],
    options: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number; signal?: AbortSignal; onLine?: (line: string) => void } = {},
  ): Promise<ProcessResult> {
    if (!options.onLine) return runCaptured(command, args, options);
    const { execa } = await import('execa');
    try {
      const child = execa(command, [...args], {
        cwd: options.cwd,
        env: options.env,
        input: options.input,
        timeout: options.timeoutMs ?? 120_000,
        cancelSignal: options.signal,
        reject: false,
        stripFinalNewline: true,
        lines: false,
        all: false,
      });
      if (options.onLine) {
        const onLine = options.onLine;
        const split = (stream: NodeJS.ReadableStream | null | undefined) => {
          let buffer = '';
          stream?.on('data', (chunk: Buffer) => {
            buffer += chunk.toString();
            let i: number;
            while ((i = buffer.indexOf('\n')) >= 0) {
              onLine(buffer.slice(0, i));
              buffer = buffer.slice(i + 1);
            }
          });
          stream?.on('end', () => buffer && onLine(buffer));
        };
        split(child.stdout);
        split(child.stderr);
      }
      const result = await child;
      if (result.failed && result.exitCode === undefined) {
        if (result.isCanceled) throw new DevpipeError('interrupted', `${command} was cancelled`);
        if (result.timedOut) {
          throw new DevpipeError('environment', `${command} ${args.join(' ')} timed out after ${options.timeoutMs ?? 120_000} ms`, {
            details: lastLines(String(result.stderr ?? '')),
          });
        }
        const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
        if (code === 'ENOENT') {
          throw new DevpipeError('environment', `${command} is not installed (not found on PATH)`, { cause: result.cause });
        }
        throw new DevpipeError('environment', `${command} could not be run: ${result.shortMessage}`, { cause: result.cause });
      }
      return { exitCode: result.exitCode ?? 0, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
    } catch (error) {
      if (error instanceof DevpipeError) throw error;
      throw new DevpipeError('environment', `${command} could not be run: ${(error as Error).message}`, { cause: error });
    }
  }

  async which(command: string): Promise<string | undefined> {
    const { access } = await import('node:fs/promises');
    const { constants } = await import('node:fs');
    const path = await import('node:path');
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (!dir) continue;
      const candidate = path.join(dir, command);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
    return undefined;
  }
}

export function lastLines(text: string, count = 20): string[] {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-count);
}

