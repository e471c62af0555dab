/**
 * A subprocess whose output is captured whole, on node:child_process: the same contract as the
 * execa path of ExecaProcessRunner (`reject: false`, one final newline stripped, the variables
 * given added to the process environment, a timeout and an AbortSignal), without loading execa.
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { DevpipeError } from '../errors.js';
import type { ProcessResult } from '../ports.js';

const defaultTimeoutMs = 120_000;

function stripFinalNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

function lastLines(text: string, count = 20): string[] {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-count);
}

export function runCaptured(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProcessResult> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    const child = execFile(
      command,
      [...args],
      { cwd: options.cwd, env: options.env ? { ...process.env, ...options.env } : process.env, signal: options.signal, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error: ExecFileException | null, stdout: string, stderr: string) => {
        clearTimeout(timer);
        const out = stripFinalNewline(String(stdout ?? ''));
        const err = stripFinalNewline(String(stderr ?? ''));
        if (!error) return resolve({ exitCode: 0, stdout: out, stderr: err });
        if (typeof error.code === 'number') return resolve({ exitCode: error.code, stdout: out, stderr: err });
        if (options.signal?.aborted || error.name === 'AbortError') return reject(new DevpipeError('interrupted', `${command} was cancelled`));
        if (timedOut) return reject(new DevpipeError('environment', `${command} ${args.join(' ')} timed out after ${timeoutMs} ms`, { details: lastLines(err) }));
        if (error.code === 'ENOENT') return reject(new DevpipeError('environment', `${command} is not installed (not found on PATH)`, { cause: error }));
        reject(new DevpipeError('environment', `${command} could not be run: ${error.signal ? `killed by ${error.signal}` : error.message}`, { cause: error }));
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}
