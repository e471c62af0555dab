/**
 * Runs that died without their teardown (a killed `devpipe ci`: SIGKILL, a closed terminal, a
 * crash) leave containers behind, with credentials visible in `docker inspect`. The next `ci`,
 * `ci --rerun` or `down` of the project sweeps them: containers labelled with the project and a
 * run whose owner process is no longer alive are removed, and the run's record, still `running`,
 * is marked `aborted`. A run whose owner cannot be checked (another host) is left alone.
 */
import type { ContainerRunner } from '../../ports.js';
import type { EventBus } from '../events.js';
import type { RunRecords } from './ports.js';
import { LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_PROJECT, LABEL_RUN } from '../labels.js';
export { LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_RUN } from '../labels.js';


export interface RunOwner {
  pid: number;
  host: string;
}

/** Is the process that owns a run still running? `undefined`: cannot tell (another host). */
export type OwnerCheck = (owner: RunOwner) => boolean | undefined;

export interface SweepResult {
  runs: string[];
  containers: number;
  problems: string[];
}

export async function sweepAbandonedRuns(
  ports: { containers: ContainerRunner; records: RunRecords },
  bus: EventBus,
  project: string,
  alive: OwnerCheck,
): Promise<SweepResult> {
  const result: SweepResult = { runs: [], containers: 0, problems: [] };
  const byRun = new Map<string, { ids: string[]; owner?: RunOwner | undefined }>();
  for (const container of await ports.containers.list({ [LABEL_PROJECT]: project })) {
    const run = container.labels[LABEL_RUN];
    if (!run) continue;
    const pid = Number(container.labels[LABEL_OWNER_PID]);
    const host = container.labels[LABEL_OWNER_HOST];
    const entry = byRun.get(run) ?? { ids: [] };
    entry.ids.push(container.id);
    if (Number.isInteger(pid) && pid > 0 && host) entry.owner = { pid, host };
    byRun.set(run, entry);
  }
  for (const [run, { ids, owner: labelled }] of byRun) {
    const record = await ports.records.read(run).catch(() => undefined);
    const owner = labelled ?? record?.owner;
    // No owner known (a run of an older devpipe): only a record still `running` says it died.
    if (!owner || alive(owner) !== false) continue;
    // A run that finished keeps what it kept on purpose (`--keep`): only a run that died mid-way is swept.
    if (record && record.status !== 'running' && record.status !== 'aborted') continue;
    for (const id of ids) {
      try {
        await ports.containers.remove(id);
        result.containers++;
      } catch (error) {
        result.problems.push(`removing container ${id.slice(0, 12)}: ${(error as Error).message}`);
      }
    }
    result.runs.push(run);
    if (record && record.status === 'running') {
      record.status = 'aborted';
      record.containers = [];
      await ports.records.write(record).catch((error: Error) => result.problems.push(`marking run ${run} aborted: ${error.message}`));
    }
  }
  const latest = await ports.records.read().catch(() => undefined);
  if (latest && latest.status === 'running' && latest.owner && alive(latest.owner) === false && !result.runs.includes(latest.runId)) {
    latest.status = 'aborted';
    await ports.records.write(latest).catch(() => undefined);
    result.runs.push(latest.runId);
  }
  if (result.runs.length > 0) {
    bus.emit('message', {
      level: 'warn',
      text: `swept ${result.containers} container(s) of ${result.runs.length} run(s) whose devpipe process is gone (${result.runs.join(', ')}); marked aborted`,
    });
  }
  for (const problem of result.problems) bus.emit('message', { level: 'warn', text: problem });
  return result;
}
