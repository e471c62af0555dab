/**
 * The rule that no build reads outside the project: every local path a Blubber file names
 * (copies, requirements, mounts) must resolve inside the project directory, symlinks included.
 * Anything else is exit 2, located at the key that names it, before anything is built.
 */
import type { BlubberConfig } from '../../spec/blubber/index.js';
import { sourceOf } from '../../spec/blubber/load.js';
import { localSources } from '../../spec/blubber/local-sources.js';
import { SpecError, type SpecIssue } from '../../spec/issues.js';
import { issueAt } from '../../spec/yaml.js';
import type { ProjectReader } from './workspace.js';

export async function outsideIssues(reader: Pick<ProjectReader, 'contains'>, config: BlubberConfig): Promise<SpecIssue[]> {
  const source = sourceOf(config);
  const issues: SpecIssue[] = [];
  for (const local of localSources(config)) {
    const verdict = await reader.contains(local.source.replace(/^\/+/, ''));
    if (verdict.inside) continue;
    const message = `"${local.source}" resolves outside the project (${verdict.via ? `through the symlink to ${verdict.via}` : verdict.resolved})`;
    const hint = 'a build reads only the project directory: copy the file into the project (a symlink must point inside it), or build from the directory that holds both';
    issues.push(source ? issueAt(source, local.path, message, { hint }) : { file: 'blubber', line: 1, col: 1, path: local.path.join('.'), message, hint, severity: 'error' });
  }
  return issues;
}

export async function assertInside(reader: Pick<ProjectReader, 'contains'>, config: BlubberConfig): Promise<void> {
  const issues = await outsideIssues(reader, config);
  if (issues.length > 0) throw new SpecError(issues);
}
