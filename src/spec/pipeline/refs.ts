/**
 * Static checks of a normalized pipeline's `${…}` templates: what PipelineLib would only find when
 * a stage runs, found at load time and located. Every interpolated field (§2.6), defaults included,
 * is lexed (`${FOO:-x}` is an error) and each `${ns.key}` checked: the namespace must be the
 * stage itself (`.`), `setup`, or an ancestor in the graph; the key must be one that namespace
 * binds by the time the field is interpolated (steps run build → run → copy → publish → promote →
 * deploy → exports → trigger). A `|default` excuses a missing key, never a wrong namespace.
 */
import { isScalar } from 'yaml';
import { nearest, type KeyPath, type SpecIssue } from '../issues.js';
import { issueAt, type YamlSource } from '../yaml.js';
import { isSetupKey, messages, optionalSetupKeys, setupKeys, stepBindings } from './bindings.js';
import { pipelineGraph } from './graph.js';
import { LexerError, splitName, tokenize, type VariableToken } from './lexer.js';
import { isPlainMap } from './normalize.js';
import { SETUP, stepOrder, type Pipeline, type Stage, type StepKind } from './types.js';

interface Scope {
  stage: string;
  /** The stage's own keys bound when this field is interpolated; 'any' for notify. */
  own: ReadonlySet<string> | 'any';
  /** Computed on the first question: most stages never read another stage's values. */
  ancestors: Pick<ReadonlySet<string>, 'has'>;
  /** Inside a `$each` `$yield`: the comprehension's variables are the `.` namespace. */
  eachVars?: ReadonlySet<string>;
  /** What the field is, for messages: `run.image`. */
  field: string;
}

/** Every key a stage binds once it has completed. */
export function stageKeys(stage: Stage): Set<string> {
  const keys = new Set(['stage']);
  for (const kind of stepOrder) {
    if (!stage[kind]) continue;
    if (kind === 'exports') for (const key of Object.keys(stage.exports?.values ?? {})) keys.add(key);
    else for (const key of stepBindings[kind]) keys.add(key);
  }
  return keys;
}

/** The stage's own keys bound before `step` runs. */
function keysBefore(stage: Stage, step: StepKind): Set<string> {
  const keys = new Set(['stage']);
  for (const kind of stepOrder) {
    if (kind === step) break;
    if (!stage[kind]) continue;
    if (kind === 'exports') for (const key of Object.keys(stage.exports?.values ?? {})) keys.add(key);
    else for (const key of stepBindings[kind]) keys.add(key);
  }
  return keys;
}

const bindingStep: Record<string, string> = {
  imageID: 'build',
  imageLocalName: 'build',
  container: 'run',
  output: 'run',
  artifactURLs: 'copy',
  imageName: 'publish',
  imageFullName: 'publish',
  imageTag: 'publish',
  imageTags: 'publish',
  publishedImage: 'publish',
  releaseName: 'deploy',
};

function ownHint(stage: string, key: string): string {
  const step = bindingStep[key];
  if (!step) return `stage \`${stage}\` binds no \`${key}\` before this point; check the name, export it earlier, or give a default: \`\${.${key}|default}\``;
  const example = key === 'imageID' ? `add \`build: <variant>\` to the stage, or use an earlier stage's image: \`\${<stage>.imageID}\`` : `reference the stage that does: \`\${<stage>.${key}}\``;
  return `\`${key}\` is bound by a ${step} step that runs before this one in the same stage; ${example}`;
}

class Checker {
  readonly issues: SpecIssue[] = [];
  constructor(
    private readonly source: YamlSource,
    private readonly pipeline: Pipeline,
    private readonly keysByStage: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  /** Issue at a position inside a string scalar, when it sits on one line. */
  private issueInString(path: KeyPath, offset: number, message: string, hint: string): SpecIssue {
    const issue = issueAt(this.source, path, message, { hint });
    const node = this.source.doc.getIn(path, true);
    if (isScalar(node) && node.range) {
      const text = this.source.text.slice(node.range[0], node.range[1]);
      if (!text.includes('\n')) {
        const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
        issue.col += offset + (quoted ? 1 : 0);
      }
    }
    return issue;
  }

  private defaulted(path: KeyPath): boolean {
    return !this.source.doc.hasIn(path);
  }

  private variable(token: VariableToken, path: KeyPath, scope: Scope): void {
    const { namespace, key } = splitName(token.name);
    if (namespace === undefined) return;
    const where = this.defaulted(path) ? `${scope.field} defaults to \`${token.source}\`, but` : `\`${token.source}\`:`;
    if (namespace === '') {
      if (token.hasDefault) return;
      if (scope.eachVars) {
        if (!scope.eachVars.has(key)) {
          this.issues.push(issueAt(this.source, path, `${where} \`$each\` binds no \`${key}\``, { hint: `inside \`$yield\`, \`.\` names the \`$each\` variables (${[...scope.eachVars].join(', ')}); use \`\${${scope.stage}.${key}}\` for the stage's own values` }));
        }
        return;
      }
      if (scope.own === 'any' || scope.own.has(key)) return;
      this.issues.push(issueAt(this.source, path, `${where} \`${key}\` is not bound in stage \`${scope.stage}\` when ${scope.field} is interpolated`, { hint: ownHint(scope.stage, key) }));
      return;
    }
    if (!(scope.ancestors.has(namespace) || (scope.eachVars !== undefined && namespace === scope.stage))) {
      const stages = [SETUP, ...this.pipeline.stages.map((s) => s.name)];
      this.issues.push(issueAt(this.source, path, `${where} ${messages.notAncestor(namespace, scope.stage)}`, { hint: messages.notAncestorHint(namespace, scope.stage, stages) }));
      return;
    }
    if (token.hasDefault) return;
    if (namespace === SETUP) {
      if (isSetupKey(key)) return;
      if ((optionalSetupKeys as readonly string[]).includes(key)) {
        this.issues.push(issueAt(this.source, path, `\`${token.source}\` is bound only when the runner has an HTTP proxy`, { hint: `give a default: \`\${setup.${key}|}\``, severity: 'warning' }));
        return;
      }
      const guess = nearest(key, setupKeys);
      this.issues.push(issueAt(this.source, path, `${where} setup binds no \`${key}\``, { hint: `${guess ? `did you mean \`setup.${guess}\`? ` : ''}setup binds: ${setupKeys.join(', ')}, params.<NAME>, GIT_*` }));
      return;
    }
    const keys = namespace === scope.stage && scope.own !== 'any' ? scope.own : this.keysByStage.get(namespace);
    if (!keys || keys.has(key)) return;
    const guess = nearest(key, keys);
    this.issues.push(issueAt(this.source, path, `${where} stage \`${namespace}\` binds no \`${key}\``, { hint: `${guess ? `did you mean \`${namespace}.${guess}\`? ` : ''}it binds: ${[...keys].join(', ')}` }));
  }

  private string(text: string, path: KeyPath, scope: Scope): void {
    let tokens;
    try {
      tokens = tokenize(text);
    } catch (error) {
      if (!(error instanceof LexerError)) throw error;
      this.issues.push(this.issueInString(path, error.offset, error.message, error.hint));
      return;
    }
    for (const token of tokens) if (token.kind === 'variable') this.variable(token, path, scope);
  }

  check(value: unknown, path: KeyPath, scope: Scope): void {
    if (typeof value === 'string') this.string(value, path, scope);
    else if (Array.isArray(value)) value.forEach((item, i) => this.check(item, [...path, i], scope));
    else if (isPlainMap(value)) {
      if ('$each' in value) {
        this.check(value.$in, [...path, '$in'], scope);
        const vars = new Set(Array.isArray(value.$each) ? value.$each.map(String) : [String(value.$each)]);
        const output = value.$yield ?? (typeof value.$each === 'string' ? `\${.${value.$each}}` : undefined);
        this.check(output, [...path, '$yield'], { ...scope, eachVars: vars });
      } else if ('$merge' in value) {
        this.check(value.$merge, [...path, '$merge'], scope);
        this.check(value.$with, [...path, '$with'], scope);
      } else {
        for (const [key, item] of Object.entries(value)) {
          this.string(key, [...path, key], scope);
          this.check(item, [...path, key], scope);
        }
      }
    }
  }
}

const urlContext = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** Which fields of which step are interpolated (§2.6), as [field name, value, key path]. */
function interpolatedFields(stage: Stage): [StepKind | 'notify' | 'blubberfile', string, unknown, KeyPath][] {
  const out: [StepKind | 'notify' | 'blubberfile', string, unknown, KeyPath][] = [];
  const add = (kind: StepKind | 'notify' | 'blubberfile', base: KeyPath, label: string, fields: Record<string, unknown>) => {
    for (const [name, value] of Object.entries(fields)) if (value !== undefined) out.push([kind, `${label}.${name}`, value, [...base, name]]);
  };
  if (stage.blubberfile) out.push(['blubberfile', 'blubberfile', stage.blubberfile.kind === 'file' ? stage.blubberfile.file : stage.blubberfile.config, stage.blubberfile.path]);
  const { build, run, copy, publish, promote, deploy, exports, trigger, notify } = stage;
  if (build) add('build', build.path, 'build', { variant: build.variant, context: build.context, excludes: build.excludes, imagePullPolicy: build.imagePullPolicy });
  if (run) add('run', run.path, 'run', { image: run.image, arguments: run.arguments, env: run.env });
  if (copy) out.push(['copy', 'copy', copy.items, copy.path]);
  if (publish) add('publish', [...publish.path, 'image'], 'publish.image', { ...publish.image });
  if (promote) out.push(['promote', 'promote', promote.items, promote.path]);
  if (deploy) {
    add('deploy', [...deploy.path, 'chart'], 'deploy.chart', { name: deploy.chart.name, version: deploy.chart.version });
    add('deploy', deploy.path, 'deploy', { image: deploy.image, tag: deploy.tag, overrides: deploy.overrides });
  }
  if (exports) add('exports', exports.path, 'exports', exports.values);
  if (trigger) add('trigger', [...trigger.path, 'parameters'], 'trigger.parameters', trigger.parameters);
  if (notify) add('notify', [...notify.path, 'email'], 'notify.email', { ...notify.email });
  return out;
}

/** All template issues of one normalized pipeline (its graph must be acyclic). */
export function checkTemplates(source: YamlSource, pipeline: Pipeline): SpecIssue[] {
  const keysByStage = new Map(pipeline.stages.map((s) => [s.name, stageKeys(s)] as const));
  const checker = new Checker(source, pipeline, keysByStage);
  // One graph per pipeline, ancestors per stage only when asked: n stages stay linear.
  const graph = pipelineGraph(pipeline);
  for (const stage of pipeline.stages) {
    let known: ReadonlySet<string> | undefined;
    const ancestors = { has: (name: string) => (known ??= graph.ancestorsOf(stage.name)).has(name) };
    for (const [kind, field, value, path] of interpolatedFields(stage)) {
      const own = kind === 'notify' ? 'any' : kind === 'blubberfile' ? new Set(['stage']) : kind === 'exports' ? stageKeysUpTo(stage, path) : keysBefore(stage, kind);
      checker.check(value, path, { stage: stage.name, own, ancestors, field });
    }
    const build = stage.build;
    if (build?.excludes !== undefined && typeof build.context === 'string' && urlContext.test(build.context)) {
      checker.issues.push(issueAt(source, [...build.path, 'excludes'], 'excludes may only be used with a local build context', { hint: `the context ${build.context} is a URL; remove \`excludes\` or build from a local directory` }));
    }
    const run = stage.run;
    if (run && typeof run.image === 'string' && !run.image.includes('${') && !/^(sha256:)?[0-9a-f]{12,64}$/.test(run.image)) {
      checker.issues.push(issueAt(source, [...run.path, 'image'], `run.image must be an image ID, not an image name (${run.image})`, { hint: 'PipelineLib runs only images built by the pipeline: use `${.imageID}` or `${<stage>.imageID}`' }));
    }
  }
  return checker.issues;
}

/** For an exports value: the keys bound before the exports step plus the exports listed before it. */
function stageKeysUpTo(stage: Stage, path: KeyPath): Set<string> {
  const keys = keysBefore(stage, 'exports');
  const current = path[path.length - 1];
  for (const key of Object.keys(stage.exports?.values ?? {})) {
    if (key === current) break;
    keys.add(key);
  }
  return keys;
}

/** Every string of a field value, map keys included (templates can sit anywhere). */
function strings(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (isPlainMap(value)) {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      strings(item, out);
    }
  }
  return out;
}

/**
 * The stages whose run container some template reads (`${.container}`, the default `from` of a
 * `copy` item, or `${<stage>.container}` in any stage): their run step must really run, since a
 * recorded pass has no container to copy from. Conservative: a template that does not lex counts.
 */
export function containerReaders(pipeline: Pipeline): Set<string> {
  const names = new Set(pipeline.stages.map((s) => s.name));
  const readers = new Set<string>();
  for (const stage of pipeline.stages) {
    if (stage.copy) readers.add(stage.name);
    for (const [, , value] of interpolatedFields(stage)) {
      for (const text of strings(value, [])) {
        if (!text.includes('container')) continue;
        let tokens;
        try {
          tokens = tokenize(text);
        } catch {
          for (const name of names) if (text.includes(`${name}.container`)) readers.add(name);
          if (text.includes('.container')) readers.add(stage.name);
          continue;
        }
        for (const token of tokens) {
          if (token.kind !== 'variable') continue;
          const { namespace, key } = splitName(token.name);
          if (key !== 'container' || namespace === undefined) continue;
          readers.add(namespace === '' ? stage.name : namespace);
        }
      }
    }
  }
  return readers;
}
