/**
 * Which pipelines a `devpipe ci` run selects, as CI does for a mode (reference §1.1, §3.6):
 *
 * - named pipelines run as named (an unknown name is CI's "Pipeline '<name>' is not defined");
 * - with no name, CI's library runs every pipeline; WMF CI's action allow-list then refuses any
 *   pipeline whose stages use an action the Zuul pipeline does not allow. devpipe runs the
 *   pipelines the mode allows and lists the others with the actions that keep them out, instead of
 *   refusing the whole run (real repos keep `publish`/`rehearse` next to `test`).
 *
 * CI checks semantics (allowed actions, variable references, the graph) only for the pipelines it
 * runs; load.ts demotes the semantic errors of the others to warnings.
 */
import { DevpipeError } from '../../errors.js';
import { refusedActions, type Mode } from './modes.js';
import type { PipelineConfig } from './types.js';

export interface SkippedPipeline {
  pipeline: string;
  /** The disallowed actions, each with the first stage that uses it. */
  actions: { action: string; stage: string }[];
}

export interface Selection {
  /** In file order (or the order named). */
  run: string[];
  skipped: SkippedPipeline[];
}

/** What a run selects. `mode` undefined (e.g. `--graph`): no allow-list. */
export function selectPipelines(config: PipelineConfig, requested: readonly string[], mode: Mode | undefined): Selection {
  const all = config.pipelines.map((p) => p.name);
  for (const name of requested) {
    if (!all.includes(name)) {
      throw new DevpipeError('usage', `Pipeline '${name}' is not defined in project's '${config.file}'`, { hint: all.length > 0 ? `pipelines: ${all.join(', ')}` : 'the file defines no pipelines' });
    }
  }
  if (requested.length > 0) return { run: [...new Set(requested)], skipped: [] };
  if (mode === undefined) return { run: all, skipped: [] };
  const run: string[] = [];
  const skipped: SkippedPipeline[] = [];
  for (const name of all) {
    const refused = disallowedActions(config, mode, name);
    if (refused.length === 0) run.push(name);
    else skipped.push({ pipeline: name, actions: refused });
  }
  if (run.length === 0 && skipped.length > 0) {
    throw new DevpipeError('usage', `no pipeline of ${config.file} can run in ${mode} mode: ${skipped.map(skipReason).join('; ')}`, {
      hint: `CI runs them from gate or postmerge: \`devpipe ci --mode postmerge ${skipped[0]!.pipeline}\``,
    });
  }
  return { run, skipped };
}

function disallowedActions(config: PipelineConfig, mode: Mode, name: string): SkippedPipeline['actions'] {
  const seen = new Map<string, string>();
  for (const { action, stage } of refusedActions(config, mode, [name])) if (!seen.has(action)) seen.set(action, stage.name);
  return [...seen].map(([action, stage]) => ({ action, stage }));
}

/** `publish (stage production: publish, promote)`. */
export function skipReason(skip: SkippedPipeline): string {
  return `${skip.pipeline} (${skip.actions.map((a) => `\`${a.action}\` in stage ${a.stage}`).join(', ')})`;
}

/** One line per skipped pipeline, saying why and how to run it. */
export function skippedLines(selection: Selection, mode: Mode): string[] {
  return selection.skipped.map((skip) => {
    const actions = skip.actions.map((a) => `\`${a.action}\` (stage ${a.stage})`).join(', ');
    const how = skip.actions.some((a) => a.action === 'blubberfile')
      ? 'a stage-level blubberfile is refused in every mode; move it to the pipeline'
      : `allowed only in gate/postmerge runs; run it with \`devpipe ci --mode postmerge ${skip.pipeline}\``;
    return `skipped pipeline ${skip.pipeline}: ${actions} not allowed in ${mode} mode (${how})`;
  });
}
