import test from 'ava';
import { EventBus, type DevpipeEvent } from '../../../../src/engine/events.js';
import { sweepAbandonedRuns, type RunRecord, type RunRecords } from '../../../../src/engine/ci/index.js';
import type { ContainerInfo, ContainerRunner } from '../../../../src/ports.js';

class Containers implements ContainerRunner {
  constructor(public items: ContainerInfo[]) {}
  removed: string[] = [];
  async run(): Promise<never> {
    throw new Error('not used');
  }
  async remove(id: string): Promise<void> {
    this.removed.push(id);
    this.items = this.items.filter((c) => c.id !== id);
  }
  async list(labels: Readonly<Record<string, string>>): Promise<ContainerInfo[]> {
    return this.items.filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v));
  }
  async follow(): Promise<void> {}
}

class Records implements RunRecords {
  constructor(public items: Map<string, RunRecord>) {}
  async write(record: RunRecord): Promise<void> {
    this.items.set(record.runId, structuredClone(record));
  }
  async read(runId?: string): Promise<RunRecord | undefined> {
    return runId ? this.items.get(runId) : [...this.items.values()].at(-1);
  }
  location(): string {
    return '/p/.devpipe/runs';
  }
}

const record = (runId: string, status: RunRecord['status'], pid: number): RunRecord => ({
  version: 1, runId, pipeline: 'test', configFile: '.pipeline/config.yaml', mode: 'test', startedAt: '2026-01-01T00:00:00Z', status,
  bindings: {}, stages: [], ownedImages: [], publishedImages: [], containers: ['c'], localTags: [], owner: { pid, host: 'here' },
});

const container = (id: string, project: string, run: string, pid?: number): ContainerInfo => ({
  id, name: id, image: 'x', state: 'exited', status: '',
  labels: { 'devpipe.project': project, 'devpipe.run': run, ...(pid ? { 'devpipe.owner-pid': String(pid), 'devpipe.owner-host': 'here' } : {}) },
});

test('containers of a run whose owner is dead are removed and the run marked aborted; live runs, other projects and unknown owners are left alone', async (t) => {
  const containers = new Containers([
    container('dead-1', 'app', 'r-dead', 111),
    container('dead-2', 'app', 'r-dead', 111),
    container('live-1', 'app', 'r-live', 222),
    container('other', 'other-app', 'r-x', 111),
    container('old', 'app', 'r-old'),
    container('remote', 'app', 'r-remote', 333),
  ]);
  const records = new Records(new Map([['r-dead', record('r-dead', 'running', 111)], ['r-live', record('r-live', 'running', 222)]]));
  const bus = new EventBus();
  const seen: DevpipeEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  const alive = (o: { pid: number; host: string }) => (o.pid === 333 ? undefined : o.pid === 222);
  const result = await sweepAbandonedRuns({ containers, records }, bus, 'app', alive);
  t.deepEqual(containers.removed.sort(), ['dead-1', 'dead-2']);
  t.deepEqual(result.runs, ['r-dead']);
  t.is(records.items.get('r-dead')?.status, 'aborted');
  t.is(records.items.get('r-live')?.status, 'running');
  t.like(seen.find((e) => e.type === 'message'), { level: 'warn' });
  t.regex((seen.find((e) => e.type === 'message') as { text: string }).text, /swept 2 container\(s\) of 1 run\(s\).*aborted/);
});

test('a finished run (its containers kept with --keep) is not swept even when its owner is gone', async (t) => {
  const containers = new Containers([container('kept', 'app', 'r-kept', 111)]);
  const records = new Records(new Map([['r-kept', record('r-kept', 'passed', 111)]]));
  // The owner is dead but the run finished: --keep's containers are the user's to remove.
  const result = await sweepAbandonedRuns({ containers, records }, new EventBus(), 'app', () => false);
  t.deepEqual(result.runs, []);
  t.deepEqual(containers.removed, []);
  t.is(records.items.get('r-kept')?.status, 'passed');
});
