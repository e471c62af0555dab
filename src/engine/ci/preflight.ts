/**
 * Checks before anything runs, so a bad spec exits 2 with every located error at once: the action
 * allow-list of the mode, the Blubber files the pipelines need, and every variant that can be
 * known before running (a literal `variant`, or the `${.stage}` default) compiled from them.
 */
import { compileVariant } from '../../compile/index.js';
import { loadBlubber } from '../../spec/blubber/index.js';
import type { SpecIssue } from '../../spec/issues.js';
import { outsideIssues } from '../project/local-paths.js';
import type { ProjectReader } from '../project/workspace.js';
import { blubberFilesNeeded, blubberRepoPath, checkMode, missingBlubberFiles, type Mode, type PipelineConfig } from '../../spec/pipeline/index.js';
import { issueAt } from '../../spec/yaml.js';

/** The variant a build step names when it can be known statically. */
export function staticVariant(variant: unknown, stage: string): string | undefined {
  if (typeof variant !== 'string') return undefined;
  if (variant === '${.stage}') return stage;
  return variant.includes('${') ? undefined : variant;
}

/** `mode` undefined (for --graph): no allow-list and no compiling, only the files must exist. */
export async function preflight(reader: ProjectReader, config: PipelineConfig, names: readonly string[], mode: Mode | undefined): Promise<{ errors: SpecIssue[]; warnings: SpecIssue[] }> {
  const errors: SpecIssue[] = mode ? checkMode(config, mode, names) : [];
  // A Blubber file named outside the repository (`..`, a symlink out) is never read.
  let outside = 0;
  for (const need of blubberFilesNeeded(config, names)) {
    const verdict = await reader.contains(need.repoPath);
    if (!verdict.inside) {
      outside++;
      errors.push(issueAt(config.source, need.keyPath, `${need.repoPath} resolves outside the repository (${verdict.via ? `through the symlink to ${verdict.via}` : verdict.resolved})`, { hint: 'a build reads only the repository: name a Blubber file under .pipeline/' }));
    }
  }
  const present = new Set<string>();
  for (const need of blubberFilesNeeded(config, names)) if ((await reader.kind(need.repoPath)) !== undefined) present.add(need.repoPath);
  const missing = missingBlubberFiles(config, (p) => present.has(p), names);
  errors.push(...missing);
  const warnings: SpecIssue[] = [];
  if (outside > 0 || missing.length > 0 || mode === undefined) return { errors, warnings };
  const loaded = new Map<string, ReturnType<typeof loadBlubber>>();
  const seen = new Set<string>();
  for (const pipeline of config.pipelines) {
    if (!names.includes(pipeline.name)) continue;
    for (const stage of pipeline.stages) {
      const ref = stage.blubberfile ?? pipeline.blubberfile;
      const variant = staticVariant(stage.build?.variant, stage.name);
      if (!stage.build || ref.kind !== 'file' || ref.file.includes('${') || variant === undefined) continue;
      const repoPath = blubberRepoPath(ref.file);
      if (seen.has(`${repoPath}#${variant}`)) continue;
      seen.add(`${repoPath}#${variant}`);
      let blubber = loaded.get(repoPath);
      if (!blubber) {
        blubber = loadBlubber((await reader.read(repoPath)) ?? '', repoPath);
        loaded.set(repoPath, blubber);
        if (!blubber.ok) errors.push(...blubber.errors);
        else errors.push(...(await outsideIssues(reader, blubber.value)));
        warnings.push(...blubber.warnings);
      }
      if (!blubber.ok) continue;
      const compiled = compileVariant(blubber.value, variant, {});
      if (!compiled.ok) errors.push(...compiled.errors);
    }
  }
  return { errors, warnings };
}
