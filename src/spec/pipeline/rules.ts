/**
 * Semantic rules on stage names and the execution graph, which a schema cannot express. They read
 * the raw pipeline leniently, so they also run on a pipeline whose steps failed the schema: the
 * user sees every problem of the file at once.
 *
 * PipelineLib itself checks only the reserved names, the list-of-lists shape and (at run time)
 * cycles; it silently runs an unknown `execution` name as an empty stage, never runs a stage left
 * out of an explicit `execution`, and lets the last of two same-named stages win. devpipe reports
 * those as errors or warnings, each saying what CI would do.
 */
import { nearest, type KeyPath, type SpecIssue } from '../issues.js';
import { issueAt, type YamlSource } from '../yaml.js';
import { CycleError, ExecutionGraph } from './graph.js';
import { isPlainMap, truthy } from './normalize.js';
import { SETUP, TEARDOWN } from './types.js';

/** What a stage name must look like to be usable in `${name.key}`. */
export const referenceableName = /^[A-Za-z0-9_-]+$/;

interface NamedStage {
  name: string;
  index: number;
}

function stageNames(raw: Record<string, unknown>): NamedStage[] {
  const stages = Array.isArray(raw.stages) ? raw.stages : [];
  const out: NamedStage[] = [];
  stages.forEach((stage, index) => {
    if (isPlainMap(stage) && typeof stage.name === 'string') out.push({ name: stage.name, index });
  });
  return out;
}

function arcsOf(raw: Record<string, unknown>): string[][] | undefined {
  const execution = raw.execution;
  if (!Array.isArray(execution)) return undefined;
  if (!execution.every((arc) => Array.isArray(arc) && arc.every((n) => typeof n === 'string'))) return undefined;
  return execution as string[][];
}

function nameRules(source: YamlSource, path: KeyPath, named: NamedStage[]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const seen = new Map<string, NamedStage>();
  for (const stage of named) {
    const at: KeyPath = [...path, 'stages', stage.index, 'name'];
    if (stage.name === SETUP || stage.name === TEARDOWN) {
      issues.push(
        issueAt(source, at, `${stage.name} is a reserved stage name`, {
          hint: 'PipelineLib runs its own `setup` stage before all others and `teardown` after them; rename this stage',
        }),
      );
    } else if (!referenceableName.test(stage.name)) {
      issues.push(
        issueAt(source, at, `stage name ${JSON.stringify(stage.name)} cannot be referenced as \`\${${stage.name}.key}\``, {
          hint: 'use only letters, digits, `_` and `-` in stage names (a `.` splits the reference, other characters end it)',
        }),
      );
    }
    const first = seen.get(stage.name);
    if (first) {
      const line = issueAt(source, [...path, 'stages', first.index, 'name'], '').line;
      issues.push(
        issueAt(source, at, `duplicate stage name \`${stage.name}\` (first defined at stages[${first.index}], line ${line})`, {
          hint: 'PipelineLib keys stages by name and silently keeps the last definition; rename or remove one of them',
        }),
      );
    } else {
      seen.set(stage.name, stage);
    }
  }
  return issues;
}

function executionRules(source: YamlSource, path: KeyPath, named: NamedStage[], arcs: string[][]): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const defined = named.map((s) => s.name);
  const listed = new Set<string>();
  arcs.forEach((arc, i) => {
    const at: KeyPath = [...path, 'execution', i];
    if (arc.length === 0) {
      issues.push(issueAt(source, at, 'empty execution branch', { hint: 'remove it, or list the stages of the branch', severity: 'warning' }));
    }
    const inArc = new Set<string>();
    arc.forEach((name, j) => {
      listed.add(name);
      if (inArc.has(name)) {
        issues.push(
          issueAt(source, [...at, j], `stage \`${name}\` appears twice in this branch`, {
            hint: 'a branch is a chain a → b → c; naming a stage twice in it makes a cycle',
          }),
        );
      }
      inArc.add(name);
      if (name === SETUP || name === TEARDOWN) {
        issues.push(issueAt(source, [...at, j], `${name} is a reserved stage name`, { hint: 'PipelineLib adds `setup` and `teardown` to every graph itself; remove it from execution' }));
      } else if (!defined.includes(name)) {
        const guess = nearest(name, defined);
        issues.push(
          issueAt(source, [...at, j], `unknown stage \`${name}\` in execution`, {
            hint: `${guess ? `did you mean \`${guess}\`? ` : ''}no stage of this pipeline has that name (PipelineLib would run it as an empty stage); define it under \`stages\``,
          }),
        );
      }
    });
  });
  for (const stage of named) {
    if (!listed.has(stage.name) && stage.name !== SETUP && stage.name !== TEARDOWN) {
      issues.push(
        issueAt(source, [...path, 'stages', stage.index, 'name'], `stage \`${stage.name}\` is not in \`execution\`, so it never runs`, {
          hint: 'add it to a branch of `execution`, or remove the stage',
          severity: 'warning',
        }),
      );
    }
  }
  try {
    new ExecutionGraph(arcs).frames();
  } catch (error) {
    if (!(error instanceof CycleError)) throw error;
    issues.push(
      issueAt(source, [...path, 'execution'], `cycle detected in graph: ${error.cycle.join(' → ')}`, {
        hint: 'the execution graph must be acyclic: remove the arc that leads back to an earlier stage',
      }),
    );
  }
  return issues;
}

/** Name and graph rules of one pipeline, on its raw (possibly schema-invalid) value. */
/** A clear bound (issue 15): every stage may read its ancestors' values, so checks grow with stages². */
export const MAX_STAGES = 500;

export function pipelineRules(source: YamlSource, name: string, raw: unknown): SpecIssue[] {
  if (!isPlainMap(raw)) return [];
  const path: KeyPath = ['pipelines', name];
  const named = stageNames(raw);
  const issues = nameRules(source, path, named);
  if (Array.isArray(raw.stages) && raw.stages.length === 0) {
    issues.push(issueAt(source, [...path, 'stages'], 'pipeline has no stages; nothing would run', { hint: 'add a stage, e.g. `- name: test`', severity: 'warning' }));
  }
  if (Array.isArray(raw.stages) && raw.stages.length > MAX_STAGES) {
    issues.push(issueAt(source, [...path, 'stages'], `${raw.stages.length} stages; devpipe runs pipelines of up to ${MAX_STAGES} stages`, { hint: 'split the pipeline; real PipelineLib pipelines have a handful of stages' }));
    return issues;
  }
  const arcs = arcsOf(raw);
  if (arcs && truthy(raw.execution)) issues.push(...executionRules(source, path, named, arcs));
  return issues;
}
