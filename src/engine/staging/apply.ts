/**
 * Writing an import: the generated devpipe.yaml (or, when the file has local edits since the last
 * import, a diff and the new text beside the state, never an overwrite), and a fake value per
 * new secret in the user's store outside the repository. Talks to ports only.
 */
import type { FakeSecretStore, ProjectFiles } from '../../ports.js';
import { unifiedDiff } from './diff.js';
import type { StagingImport } from './import.js';

export interface ApplyOptions {
  /** Relative to the project (default `.pipeline/devpipe.yaml`). */
  output: string;
  force: boolean;
  dryRun: boolean;
  /** A new fake value (unique, long enough for the leak guard). */
  fake: () => string;
}

export interface ApplyResult {
  action: 'written' | 'unchanged' | 'updated' | 'kept-local-edits' | 'dry-run';
  output: string;
  /** Where the new text was left when not written. */
  pending?: string | undefined;
  diff: string;
  /** Secret names that got a new fake value. */
  fakesAdded: string[];
  store: string;
}

export const lastImportPath = (output: string) => `.devpipe/import/${output.replaceAll('/', '_')}.last`;
export const pendingImportPath = (output: string) => `.devpipe/import/${output.replaceAll('/', '_')}.new`;

export async function applyImport(ports: { files: ProjectFiles; secrets: FakeSecretStore }, result: StagingImport, options: ApplyOptions): Promise<ApplyResult> {
  const current = await ports.files.read(options.output);
  const last = await ports.files.read(lastImportPath(options.output));
  const diff = current === undefined ? '' : unifiedDiff(current, result.text, [`${options.output} (now)`, `${options.output} (import)`]);
  const base = { output: options.output, diff, store: ports.secrets.description };
  if (options.dryRun) return { ...base, action: 'dry-run', fakesAdded: [] };
  const existing = await ports.secrets.read();
  const fakes = Object.fromEntries([...result.secrets.keys()].filter((name) => existing[name] === undefined).map((name) => [name, options.fake()]));
  await ports.secrets.add(fakes);
  const fakesAdded = Object.keys(fakes);
  if (current !== undefined && current === result.text) {
    await ports.files.write(lastImportPath(options.output), result.text);
    return { ...base, action: 'unchanged', fakesAdded };
  }
  const edited = current !== undefined && current !== last;
  if (edited && !options.force) {
    await ports.files.write(pendingImportPath(options.output), result.text);
    return { ...base, action: 'kept-local-edits', pending: pendingImportPath(options.output), fakesAdded };
  }
  await ports.files.write(options.output, result.text);
  await ports.files.write(lastImportPath(options.output), result.text);
  return { ...base, action: current === undefined ? 'written' : 'updated', fakesAdded };
}
