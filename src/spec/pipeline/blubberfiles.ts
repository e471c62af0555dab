/**
 * The Blubber files a pipeline needs (reference §1.2): a stage with a `build` step uses its own
 * `blubberfile`, else the pipeline's, which defaults to `<pipelineName>/blubber.yaml`. A string is
 * relative to the `.pipeline/` directory at the repository root, whatever the pipeline's
 * `directory`. Inline Blubber objects need no file; a path holding `${…}` is known only at run time.
 * The caller checks existence (this module does no I/O) and gets back located issues.
 */
import { posix } from 'node:path';
import type { KeyPath, SpecIssue } from '../issues.js';
import { issueAt } from '../yaml.js';
import type { PipelineConfig } from './types.js';

export interface BlubberFileNeed {
  pipeline: string;
  /** Stages whose build uses this file. */
  stages: string[];
  /** As written (or defaulted), relative to `.pipeline/`. */
  file: string;
  /** Relative to the repository root: `.pipeline/<file>`. */
  repoPath: string;
  /** The pipeline's working directory (build contexts are relative to it). */
  directory: string;
  /** True when the pipeline has no `blubberfile` and the default `<pipeline>/blubber.yaml` applies. */
  defaulted: boolean;
  /** The `blubberfile` key, or the pipeline key when defaulted: where a "missing" error points. */
  keyPath: KeyPath;
}

export function blubberRepoPath(file: string): string {
  return posix.normalize(posix.join('.pipeline', file));
}

/** Every Blubber file the config's pipelines build from, one entry per pipeline and file. */
export function blubberFilesNeeded(config: PipelineConfig, pipelineNames?: readonly string[]): BlubberFileNeed[] {
  const needs: BlubberFileNeed[] = [];
  for (const pipeline of config.pipelines) {
    if (pipelineNames && !pipelineNames.includes(pipeline.name)) continue;
    const byFile = new Map<string, BlubberFileNeed>();
    for (const stage of pipeline.stages) {
      if (!stage.build) continue;
      const ref = stage.blubberfile ?? pipeline.blubberfile;
      if (ref.kind !== 'file' || ref.file.includes('${')) continue;
      const key = ref.file;
      const need = byFile.get(key);
      if (need) {
        need.stages.push(stage.name);
        continue;
      }
      byFile.set(key, {
        pipeline: pipeline.name,
        stages: [stage.name],
        file: ref.file,
        repoPath: blubberRepoPath(ref.file),
        directory: pipeline.directory,
        defaulted: ref.defaulted,
        keyPath: ref.path,
      });
    }
    needs.push(...byFile.values());
  }
  return needs;
}

/**
 * Located errors for needed Blubber files that do not exist. `exists` answers for a path relative
 * to the repository root (`.pipeline/blubber.yaml`).
 */
export function missingBlubberFiles(config: PipelineConfig, exists: (repoPath: string) => boolean, pipelineNames?: readonly string[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const need of blubberFilesNeeded(config, pipelineNames)) {
    if (exists(need.repoPath)) continue;
    const stages = need.stages.map((s) => `\`${s}\``).join(', ');
    const message = need.defaulted
      ? `pipeline \`${need.pipeline}\` has no \`blubberfile\`, so it builds from the default ${need.repoPath}, which does not exist (stages ${stages})`
      : `no Blubber config found at ${need.repoPath} (used by stages ${stages})`;
    const hint = need.defaulted
      ? 'add `blubberfile: blubber.yaml` (relative to .pipeline/) to the pipeline, or create the file'
      : 'the path is relative to the .pipeline/ directory at the repository root; fix the path or create the file';
    issues.push(issueAt(config.source, need.keyPath, message, { hint, atKey: need.defaulted }));
  }
  return issues;
}
