/**
 * Green run steps, remembered: a `run` (PipelineLib) or a Kokkuri build-and-run (GitLab) that
 * exited 0 is recorded under the hash of everything it ran with: the image ID (content-addressed,
 * so the code and its dependencies), the command, every environment value and the credential
 * values. Running the same step again with the same inputs is then answered from the record, the
 * way Bazel answers a test target "(cached) PASSED": `devpipe ci` twice on unchanged code does not
 * run the tests twice. A failed run is never recorded, so a failure is always reproduced; a run
 * whose output held a secret value is not recorded either (the record must never hold one).
 * `--no-cache` runs everything. The file is `.devpipe/cache/ci-passed.json`, mode 0600.
 */
import { createHash } from 'node:crypto';
import type { ProjectFiles } from '../../ports.js';

export const PASSED_RUNS_FILE = '.devpipe/cache/ci-passed.json';

/** Entries kept (the oldest go first). */
const MAX_ENTRIES = 500;

/** What a recorded pass answers with. */
export interface PassedRun {
  /** The run (or GitLab pipeline) in which it passed. */
  runId: string;
  /** The stage or job that ran it. */
  stage: string;
  passedAt: string;
  durationMs: number;
  /** The `output` binding it produced (the last `tail` stdout lines). */
  output: string;
}

/** Everything a run step ran with; any difference is a different step. */
export interface RunInputs {
  /** `pipelinelib` or `gitlab`: the two never answer each other. */
  kind: string;
  image: string;
  command: readonly string[];
  env: Readonly<Record<string, string>>;
  /** PipelineLib `run.tail`: what `output` holds. */
  tail?: number | undefined;
}

/** The key of a run step: sha256 of its inputs (secret values only ever enter through the hash). */
export function runKey(inputs: RunInputs): string {
  const env = Object.entries(inputs.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([1, inputs.kind, inputs.image.replace(/^sha256:/, ''), inputs.command, env, inputs.tail ?? null]))
    .digest('hex');
}

interface CacheFile {
  version: 1;
  passed: Record<string, PassedRun>;
}

function parse(text: string | undefined): CacheFile {
  try {
    const parsed = JSON.parse(text ?? '') as Partial<CacheFile>;
    if (parsed.version === 1 && parsed.passed && typeof parsed.passed === 'object') return { version: 1, passed: parsed.passed };
  } catch {
    // None yet, or damaged: start empty (the cache only ever saves time).
  }
  return { version: 1, passed: {} };
}

/** The recorded passes of a project; writes are serialized (the stages of a frame run in parallel). */
export class PassedRuns {
  #file: Promise<CacheFile> | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(private readonly files: Pick<ProjectFiles, 'read' | 'write'>) {}

  #load(): Promise<CacheFile> {
    this.#file ??= this.files.read(PASSED_RUNS_FILE).then(parse, () => parse(undefined));
    return this.#file;
  }

  async get(key: string): Promise<PassedRun | undefined> {
    const entry = (await this.#load()).passed[key];
    return entry && typeof entry.runId === 'string' && typeof entry.output === 'string' ? entry : undefined;
  }

  /** Records a pass unless its output holds one of `secrets` (a record never holds a secret value). */
  async put(key: string, entry: PassedRun, secrets: readonly string[]): Promise<boolean> {
    if (secrets.some((s) => s.length > 0 && entry.output.includes(s))) return false;
    const file = await this.#load();
    delete file.passed[key];
    file.passed[key] = entry;
    const keys = Object.keys(file.passed);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete file.passed[old];
    const text = JSON.stringify(file);
    this.#writing = this.#writing.then(() => this.files.write(PASSED_RUNS_FILE, text, { mode: 0o600 })).then(
      () => undefined,
      () => undefined,
    );
    await this.#writing;
    return true;
  }
}
