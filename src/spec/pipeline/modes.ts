/**
 * The action allow-list of WMF CI (reference §3.6): which stage keys a pipeline may use depends on
 * the Zuul pipeline that runs it. `devpipe ci --mode` emulates it: `test` (patchset uploaded)
 * allows build, copy, exports, notify and run; `gate` (gate-and-submit) and `postmerge` (also
 * `post`/`publish`) add deploy, promote, publish and trigger.
 *
 * Like CI, every key of a normalized stage except `name` counts as an action, so a stage-level
 * `blubberfile` is refused in every mode (CI's list does not name it).
 */
import type { SpecIssue } from '../issues.js';
import { issueAt } from '../yaml.js';
import type { PipelineConfig, Stage } from './types.js';

export const modes = ['test', 'gate', 'postmerge'] as const;
export type Mode = (typeof modes)[number];

const always = ['build', 'copy', 'exports', 'notify', 'run'] as const;
const privileged = ['deploy', 'promote', 'publish', 'trigger'] as const;

/** The stage actions CI allows for a mode. */
export function allowedActions(mode: Mode): ReadonlySet<string> {
  return new Set<string>(mode === 'test' ? always : [...always, ...privileged]);
}

export function isMode(value: string): value is Mode {
  return (modes as readonly string[]).includes(value);
}

/** The actions (normalized keys besides `name`) of a stage, with the key they come from. */
const actionKeys = ['blubberfile', 'build', 'run', 'copy', 'publish', 'promote', 'deploy', 'exports', 'notify', 'trigger'] as const;
type Action = (typeof actionKeys)[number];

function stageActions(stage: Stage): Action[] {
  return actionKeys.filter((key) => stage[key] !== undefined);
}

export interface RefusedAction {
  pipeline: string;
  stage: Stage;
  action: string;
}

/** Every stage action CI would refuse in `mode`, in file order (optionally only in `pipelineNames`). */
export function refusedActions(config: PipelineConfig, mode: Mode, pipelineNames?: readonly string[]): RefusedAction[] {
  const allowed = allowedActions(mode);
  const out: RefusedAction[] = [];
  for (const pipeline of config.pipelines) {
    if (pipelineNames && !pipelineNames.includes(pipeline.name)) continue;
    for (const stage of pipeline.stages) {
      for (const action of stageActions(stage)) if (!allowed.has(action)) out.push({ pipeline: pipeline.name, stage, action });
    }
  }
  return out;
}

/**
 * Located errors for every stage action that CI would refuse in `mode`, with CI's own wording.
 * `pipelineNames` limits the check to the pipelines that will run (CI validates only those).
 */
export function checkMode(config: PipelineConfig, mode: Mode, pipelineNames?: readonly string[]): SpecIssue[] {
  return refusedActions(config, mode, pipelineNames).map(({ stage, action }) => {
    const step = stage[action as Action];
    const hint =
      action === 'blubberfile'
        ? 'WMF CI\'s allow-list has no stage-level `blubberfile` in any Zuul pipeline; set `blubberfile` on the pipeline instead'
        : `\`${action}\` is allowed only in gate and postmerge runs (Zuul gate-and-submit, postmerge, post, publish); keep it in a separate pipeline (e.g. \`publish\`) or run with \`--mode gate\` or \`--mode postmerge\``;
    return issueAt(config.source, step?.path ?? stage.path, `stage \`${stage.name}\` contains an action (\`${action}\`) that is not allowed by this pipeline in ${mode} mode`, {
      atKey: true,
      hint,
    });
  });
}
