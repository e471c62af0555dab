/** Runs the CLI in-process (for speed) or as a child process (for the real bin). */
import { Writable } from 'node:stream';
import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const binPath = path.join(repoRoot, 'bin', 'devpipe.js');

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** In-process: same code path as the bin, with captured output and a controlled env. */
export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const exitCode = await main(['node', 'devpipe', ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...options.env },
    stdout,
    stderr,
  });
  return { exitCode, stdout: stdout.text, stderr: stderr.text };
}

/** As a child process through bin/devpipe.js (needs `npm run build`, which `npm test` does). */
export async function runBin(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<CliResult> {
  const result = await execa('node', [binPath, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { CI: 'true', NO_COLOR: '1', ...options.env },
    reject: false,
    timeout: options.timeout ?? 300_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
