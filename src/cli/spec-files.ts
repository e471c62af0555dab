/** Reading spec files for commands: missing files are usage errors (exit 2) that say what to do. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DevpipeError } from '../errors.js';
import { formatIssue, type SpecIssue } from '../spec/issues.js';
import type { Context } from './context.js';

export interface SpecText {
  /** Absolute path. */
  absolute: string;
  /** As shown in messages: relative to the current directory when inside it. */
  display: string;
  text: string;
}

export function displayPath(absolute: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}

export async function readSpecFile(ctx: Context, file: string, what: string, hint: string): Promise<SpecText> {
  const absolute = path.resolve(ctx.projectDir, file);
  try {
    return { absolute, display: displayPath(absolute), text: await readFile(absolute, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DevpipeError('usage', `no ${what} at ${displayPath(absolute)}`, { hint, cause: error });
    if (code === 'EISDIR') throw new DevpipeError('usage', `${displayPath(absolute)} is a directory, not a ${what}`, { hint, cause: error });
    throw new DevpipeError('environment', `cannot read ${displayPath(absolute)}: ${(error as Error).message}`, { cause: error });
  }
}

/** Spec warnings go to the user as messages (stderr / NDJSON). */
export function reportWarnings(ctx: Context, warnings: readonly SpecIssue[]): void {
  for (const warning of warnings) ctx.bus.emit('message', { level: 'warn', text: formatIssue({ ...warning, severity: 'error' }) });
}

/** `K=V` flags → a map. */
export function keyValues(pairs: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}
