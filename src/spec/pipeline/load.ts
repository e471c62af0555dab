/**
 * Reading `.pipeline/config.yaml`: parse (YAML 1.1 with positions) → recognise a PipelineLib file →
 * validate each pipeline against the schema → normalize → semantic rules (names, execution graph)
 * → static template checks. All issues of the file are collected, each with file:line:col, key
 * path and hint; warnings ride along with a valid result.
 */
import { isPair, isScalar, isSeq, visit } from 'yaml';
import { formatKeyPath, nearest, type SpecIssue, type SpecResult } from '../issues.js';
import { validate } from '../validate.js';
import { issueAt, parseYaml, type YamlSource } from '../yaml.js';
import { normalizePipeline, isPlainMap } from './normalize.js';
import { checkTemplates } from './refs.js';
import { pipelineRules } from './rules.js';
import { onePipelineSchema, pipelineKeys, type RawPipeline } from './schema.js';
import type { Pipeline, PipelineConfig } from './types.js';

const shapeHint =
  'a PipelineLib .pipeline/config.yaml has a top-level `pipelines:` mapping of pipeline name → {stages: [...]}, e.g. `pipelines: {test: {blubberfile: blubber.yaml, stages: [{name: test}]}}`';

/** A located error when the document is not a PipelineLib config at all; undefined when it is. */
function notPipelineLib(source: YamlSource, value: unknown): SpecIssue | undefined {
  if (isPlainMap(value) && 'pipelines' in value) return undefined;
  if (!isPlainMap(value)) {
    const what = value === null || value === undefined ? 'the file is empty' : 'the document is not a mapping';
    return issueAt(source, [], `not a PipelineLib config: ${what}`, { hint: shapeHint });
  }
  const keys = Object.keys(value);
  const guess = nearest('pipelines', keys);
  if (guess) {
    return issueAt(source, [guess], `not a PipelineLib config: no top-level \`pipelines\` key`, { atKey: true, hint: `did you mean "pipelines"? ${shapeHint}` });
  }
  const other = 'jobs' in value || 'version' in value ? ' (it looks like another CI system\'s file)' : '';
  return issueAt(source, [], `not a PipelineLib config: no top-level \`pipelines\` key; found ${keys.map((k) => `\`${k}\``).join(', ')}${other}`, {
    hint: shapeHint,
  });
}

/** Old forms PipelineLib no longer reads, with the modern spelling. */
function legacyHint(issue: SpecIssue): SpecIssue {
  if (/\.publish\.(type|tags|files)$/.test(issue.path)) {
    return { ...issue, hint: 'this is the old `publish: {type: image, tags: [...]}` form; write `publish: {image: {tags: [...]}}` (or `publish: {image: true}`)' };
  }
  return issue;
}

function unknownKeyWarnings(source: YamlSource, root: Record<string, unknown>): SpecIssue[] {
  const warnings: SpecIssue[] = [];
  for (const key of Object.keys(root)) {
    if (key === 'pipelines') continue;
    warnings.push(issueAt(source, [key], `unknown top-level key "${key}" is ignored by PipelineLib`, { atKey: true, severity: 'warning', hint: 'only `pipelines` is read' }));
  }
  const pipelines = isPlainMap(root.pipelines) ? root.pipelines : {};
  for (const [name, pipeline] of Object.entries(pipelines)) {
    if (!isPlainMap(pipeline)) continue;
    for (const key of Object.keys(pipeline)) {
      if (pipelineKeys.includes(key)) continue;
      const guess = nearest(key, pipelineKeys);
      warnings.push(
        issueAt(source, ['pipelines', name, key], `unknown pipeline key "${key}" is ignored by PipelineLib`, {
          atKey: true,
          severity: 'warning',
          hint: guess ? `did you mean "${guess}"?` : `pipeline keys: ${pipelineKeys.join(', ')}`,
        }),
      );
    }
  }
  return warnings;
}

/** Keys SnakeYAML reads as booleans or numbers (`NO`, `on`, `1`): they become "false", "true", "1". */
function nonStringKeys(source: YamlSource): SpecIssue[] {
  const warnings: SpecIssue[] = [];
  visit(source.doc, {
    Pair(_key, pair, ancestors) {
      const key = pair.key;
      if (!isScalar(key) || typeof key.value === 'string' || key.value === null || !key.range) return;
      const pos = source.lines.linePos(key.range[0]);
      const text = source.text.slice(key.range[0], key.range[1]);
      const keyPath: (string | number)[] = [];
      ancestors.forEach((node, i) => {
        if (isPair(node)) keyPath.push(String(isScalar(node.key) ? node.key.value : node.key));
        else if (isSeq(node)) keyPath.push(node.items.indexOf(ancestors[i + 1] as never));
      });
      keyPath.push(String(key.value));
      warnings.push({
        file: source.file,
        line: pos.line,
        col: pos.col,
        path: formatKeyPath(keyPath),
        message: `the key \`${text}\` is read by SnakeYAML as the ${typeof key.value} ${String(key.value)}, so it becomes "${String(key.value)}"`,
        hint: `quote it: "${text}"`,
        severity: 'warning',
      });
    },
  });
  return warnings;
}

function split(issues: SpecIssue[]): { errors: SpecIssue[]; warnings: SpecIssue[] } {
  return { errors: issues.filter((i) => i.severity === 'error'), warnings: issues.filter((i) => i.severity === 'warning') };
}

export interface LoadOptions {
  /**
   * The pipelines this run selects, given the schema-valid, normalized config (it may throw a
   * usage error). CI validates the schema of the whole file but the semantics (names, graph,
   * variable references) of the selected pipelines only: the others' semantic errors become
   * warnings. Default: every pipeline is selected.
   */
  select?: (config: PipelineConfig) => readonly string[];
}

/** A semantic error of a pipeline the run does not select: a warning that says why it is not fatal. */
function notSelected(issue: SpecIssue, name: string): SpecIssue {
  if (issue.severity !== 'error') return issue;
  return { ...issue, severity: 'warning', message: `${issue.message} (pipeline \`${name}\` does not run now, and CI checks a pipeline only when it runs it)` };
}

/** Loads, validates and normalizes a `.pipeline/config.yaml`. `file` is the path shown to the user. */
export function loadPipelineConfig(text: string, file: string, options: LoadOptions = {}): SpecResult<PipelineConfig> {
  // Jenkins reads the file with SnakeYAML (readYaml): its scalar typing, duplicate keys, flow indentation.
  const parsed = parseYaml(text, file, { dialect: 'snakeyaml' });
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: [] };
  const { source, value } = parsed;
  const foreign = notPipelineLib(source, value);
  if (foreign) return { ok: false, errors: [foreign], warnings: [] };
  const root = value as Record<string, unknown>;
  if (!isPlainMap(root.pipelines)) {
    const error = issueAt(source, ['pipelines'], `expected a mapping of pipeline names to pipelines, got ${Array.isArray(root.pipelines) ? 'a list' : String(root.pipelines)}`, { hint: shapeHint });
    return { ok: false, errors: [error], warnings: [] };
  }
  const issues: SpecIssue[] = [...parsed.warnings, ...unknownKeyWarnings(source, root), ...nonStringKeys(source)];
  const entries = Object.entries(root.pipelines);
  if (entries.length === 0) issues.push(issueAt(source, ['pipelines'], 'no pipelines are defined', { severity: 'warning', hint: shapeHint }));
  const pipelines: Pipeline[] = [];
  const semantic = new Map<string, SpecIssue[]>();
  for (const [name, rawPipeline] of entries) {
    const checked = validate(onePipelineSchema(name), root, source);
    const ruleIssues = pipelineRules(source, name, rawPipeline);
    semantic.set(name, ruleIssues);
    if (!checked.ok) {
      issues.push(...checked.errors.map(legacyHint));
      continue;
    }
    const raw = (checked.value.pipelines as Record<string, RawPipeline>)[name]!;
    const rawStages = isPlainMap(rawPipeline) && Array.isArray(rawPipeline.stages) ? rawPipeline.stages : [];
    const pipeline = normalizePipeline(name, raw, rawStages);
    pipelines.push(pipeline);
    if (!ruleIssues.some((i) => i.severity === 'error')) ruleIssues.push(...checkTemplates(source, pipeline));
  }
  const schemaErrors = issues.some((i) => i.severity === 'error');
  const config: PipelineConfig = { file, pipelines, source };
  // Selection needs a schema-valid file (CI validates the whole file first).
  const selected = !schemaErrors && options.select ? options.select(config) : undefined;
  for (const [name, list] of semantic) issues.push(...(selected && !selected.includes(name) ? list.map((i) => notSelected(i, name)) : list));
  const { errors, warnings } = split(issues);
  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, value: config, warnings };
}
