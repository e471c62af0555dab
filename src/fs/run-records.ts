/**
 * Run records on disk: `.devpipe/runs/<run-id>/run.json` in the project, with a
 * `.devpipe/.gitignore` containing `*` so nothing of it is ever committed.
 */
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunRecord, RunRecords } from '../engine/ci/index.js';
import { DevpipeError } from '../errors.js';

export class FsRunRecords implements RunRecords {
  readonly root: string;

  constructor(
    projectDir: string,
    /** The run's redaction (cli/context.ts): a record holds redacted text only. */
    private readonly redact: <T>(value: T) => T = (value) => value,
  ) {
    this.root = path.join(projectDir, '.devpipe', 'runs');
  }

  location(runId?: string): string {
    return runId ? path.join(this.root, runId) : this.root;
  }

  async write(record: RunRecord): Promise<void> {
    const dir = path.join(this.root, record.runId);
    const state = path.join(this.root, '..');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await Promise.all([state, this.root, dir].map((d) => chmod(d, 0o700)));
    await writeFile(path.join(state, '.gitignore'), '*\n', { mode: 0o600 });
    const file = path.join(dir, 'run.json');
    await writeFile(file, `${JSON.stringify(this.redact(record), null, 2)}\n`, { mode: 0o600 });
    await chmod(file, 0o600);
  }

  async read(runId?: string): Promise<RunRecord | undefined> {
    if (runId !== undefined) return this.#load(runId);
    let ids: string[];
    try {
      ids = await readdir(this.root);
    } catch {
      return undefined;
    }
    const records = (await Promise.all(ids.map((id) => this.#load(id).catch(() => undefined)))).filter((r): r is RunRecord => r !== undefined);
    records.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId));
    return records.at(-1);
  }

  async #load(runId: string): Promise<RunRecord | undefined> {
    if (runId.includes('/') || runId.includes('\\') || runId.startsWith('.')) return undefined;
    let text: string;
    try {
      text = await readFile(path.join(this.root, runId, 'run.json'), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const record = JSON.parse(text) as RunRecord;
      if (record.version !== 1) throw new Error(`unknown record version ${String(record.version)}`);
      return record;
    } catch (error) {
      throw new DevpipeError('usage', `the record of run ${runId} cannot be read: ${(error as Error).message}`, { hint: `delete ${path.join(this.root, runId)} and run the pipeline again` });
    }
  }
}
