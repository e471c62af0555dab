/** Reading spec files: a missing file is a usage error (exit 2) that says what to do. */
import path from 'node:path';
import { DevpipeError } from '../../errors.js';
import { formatIssue, type SpecIssue } from '../../spec/issues.js';
import type { EventBus } from '../events.js';
import type { Workspace } from './workspace.js';

export interface SpecText {
  /** Absolute path. */
  absolute: string;
  /** As shown in messages: relative to the current directory when inside it. */
  display: string;
  text: string;
}

export async function readSpecFile(ws: Workspace, file: string, what: string, hint: string): Promise<SpecText> {
  const absolute = path.resolve(ws.reader.root, file);
  const display = ws.display(absolute);
  const kind = await ws.reader.kind(absolute);
  if (kind === 'directory') throw new DevpipeError('usage', `${display} is a directory, not a ${what}`, { hint });
  const text = kind === undefined ? undefined : await ws.reader.read(absolute);
  if (text === undefined) throw new DevpipeError('usage', `no ${what} at ${display}`, { hint });
  return { absolute, display, text };
}

/** Spec warnings go to the user as messages (stderr / NDJSON). */
export function reportWarnings(bus: EventBus, warnings: readonly SpecIssue[]): void {
  for (const warning of warnings) bus.emit('message', { level: 'warn', text: formatIssue({ ...warning, severity: 'error' }) });
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
