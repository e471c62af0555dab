/** This process as the owner of a `ci` run, and the liveness check of other owners (same host only). */
import { hostname } from 'node:os';
import path from 'node:path';
import type { EventBus } from '../engine/events.js';
import { sweepAbandonedRuns, type RunOwner } from '../engine/ci/index.js';
import type { ContainerRunner } from '../ports.js';
import { FsRunRecords } from '../fs/run-records.js';

export function currentOwner(): RunOwner {
  return { pid: process.pid, host: hostname() };
}

export function ownerAlive(owner: RunOwner): boolean | undefined {
  if (owner.host !== hostname()) return undefined;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The `devpipe.project` label of ci runs: the project directory's name. */
export function ciProject(projectDir: string): string {
  return path.basename(projectDir);
}

/** Best effort: sweeps leftovers of dead runs of this project; never fails the calling command. */
export async function sweepDeadRuns(projectDir: string, containers: ContainerRunner, bus: EventBus, redact: <T>(value: T) => T, project = ciProject(projectDir)): Promise<void> {
  try {
    await sweepAbandonedRuns({ containers, records: new FsRunRecords(projectDir, redact) }, bus, project, ownerAlive);
  } catch (error) {
    bus.emit('message', { level: 'warn', text: `could not sweep the leftovers of dead ci runs: ${(error as Error).message}` });
  }
}
