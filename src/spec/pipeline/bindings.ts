/**
 * Bindings: the values stages publish for later stages (reference §2.2–§2.3), PipelineLib's
 * ExecutionContext. Each stage has its own namespace; a binding is **write-once**; and a stage may
 * read only its own namespace (`${.key}`) and those of its **ancestors** in the execution graph
 * (`${stage.key}`; `setup` is an ancestor of every stage). The runner fills them: `setup.*` at the
 * start, then each step's outputs (see `stepBindings`).
 */
import { DevpipeError } from '../../errors.js';
import { nearest, type KeyPath } from '../issues.js';
import { pipelineGraph, type ExecutionGraph } from './graph.js';
import type { Pipeline, StepKind } from './types.js';

export type InterpolationErrorCode =
  | 'lexer'
  | 'name-not-found'
  | 'ancestor-not-found'
  | 'already-bound'
  | 'insufficient-input'
  | 'merge'
  | 'shape';

/** A `${…}` or binding error. `path` (when known) is the key path of the field being interpolated. */
export class InterpolationError extends DevpipeError {
  override readonly name = 'InterpolationError';
  constructor(
    readonly code: InterpolationErrorCode,
    message: string,
    hint?: string,
    readonly path?: KeyPath,
    /** For lexer errors: where the expression starts in the string. */
    readonly offset?: number,
  ) {
    super('spec', message, { hint });
  }

  at(path: KeyPath): InterpolationError {
    return this.path ? this : new InterpolationError(this.code, this.message, this.hint, path, this.offset);
  }
}

/** The values each step binds under its stage's namespace (reference §2.3); `exports` binds its own keys. */
export const stepBindings: Record<Exclude<StepKind, 'exports'>, readonly string[]> = {
  build: ['imageID', 'imageLocalName'],
  run: ['container', 'output'],
  copy: ['artifactURLs'],
  publish: ['imageName', 'imageFullName', 'imageTag', 'imageTags', 'publishedImage'],
  promote: [],
  deploy: ['releaseName'],
  trigger: [],
};

/** `setup.*` (§2.3). `params.<NAME>` and `GIT_*` are open families; `httpProxy` exists only with a proxy. */
export const setupKeys = ['pipeline', 'logURL', 'project', 'projectShortName', 'commit', 'branch', 'remote', 'tag', 'timestamp', 'imageLabels', 'stage'] as const;
export const optionalSetupKeys = ['httpProxy'] as const;

export function isSetupKey(key: string): boolean {
  return (setupKeys as readonly string[]).includes(key) || key.startsWith('params.') || key.startsWith('GIT_');
}

export const messages = {
  notFound: (ns: string, key: string, available: readonly string[]) =>
    `no value bound for '${ns}.${key}'; all available variables are: [${available.join(', ')}]`,
  notAncestor: (ns: string, node: string) => `cannot access '${ns}.*' values since '${node}' does not follow it in the graph`,
  notAncestorHint(ns: string, node: string, stages: readonly string[]): string {
    if (ns === node) return 'use `${.key}` for a stage\'s own values';
    if (!stages.includes(ns)) {
      const guess = nearest(ns, stages);
      return `there is no stage named \`${ns}\`${guess ? `; did you mean \`${guess}\`?` : ''}`;
    }
    return `add an arc such as \`[${ns}, ${node}]\` to \`execution\` so that ${node} runs after ${ns}; stages on parallel branches cannot read each other's values`;
  },
  notFoundHint: 'a value exists only once the step that binds it has run (imageID: build; container, output: run; imageName, imageTag…: publish; releaseName: deploy); or give a default: `${ns.key|default}`',
  alreadyBound: (ns: string, key: string) => `'${ns}' already has a value assigned to '${key}'`,
  alreadyBoundHint: 'bindings are write-once: export the value under another name',
};

/** The value store of one pipeline run. */
export class Bindings {
  private readonly store = new Map<string, Map<string, unknown>>();
  private readonly ancestorCache = new Map<string, ReadonlySet<string>>();

  constructor(
    /** The graph with setup and teardown (`pipelineGraph`). */
    readonly graph: ExecutionGraph,
  ) {}

  static forPipeline(pipeline: Pick<Pipeline, 'execution'>): Bindings {
    return new Bindings(pipelineGraph(pipeline));
  }

  /** Binds `ns.key`; throws `already-bound` if the name has a value. */
  bind(ns: string, key: string, value: unknown): void {
    let values = this.store.get(ns);
    if (!values) this.store.set(ns, (values = new Map()));
    if (values.has(key)) throw new InterpolationError('already-bound', messages.alreadyBound(ns, key), messages.alreadyBoundHint);
    values.set(key, value);
  }

  lookup(ns: string, key: string): { found: true; value: unknown } | { found: false } {
    const values = this.store.get(ns);
    return values?.has(key) ? { found: true, value: values.get(key) } : { found: false };
  }

  /** Every bound name, `ns.key`, in binding order. */
  keys(): string[] {
    return [...this.store].flatMap(([ns, values]) => [...values.keys()].map((key) => `${ns}.${key}`));
  }

  /** Everything bound under `key` in any namespace, `stage → value` (teardown: every imageID, releaseName…). */
  getAll(key: string): Map<string, unknown> {
    const out = new Map<string, unknown>();
    for (const [ns, values] of this.store) if (values.has(key) && values.get(key) != null) out.set(ns, values.get(key));
    return out;
  }

  /** The bindings of one namespace, read-only. */
  namespace(ns: string): ReadonlyMap<string, unknown> {
    return this.store.get(ns) ?? new Map();
  }

  ancestorsOf(stage: string): ReadonlySet<string> {
    let cached = this.ancestorCache.get(stage);
    if (!cached) this.ancestorCache.set(stage, (cached = this.graph.ancestorsOf(stage)));
    return cached;
  }

  /** The context a stage's steps are interpolated in. */
  of(stage: string): StageContext {
    return new StageContext(this, stage, this.ancestorsOf(stage));
  }
}

/** One stage's view of the bindings: its own namespace plus read access to its ancestors'. */
export class StageContext {
  constructor(
    readonly bindings: Bindings,
    readonly name: string,
    readonly ancestors: ReadonlySet<string>,
    /** For anonymous child contexts (`$each`): their own values, kept out of the store. */
    private readonly local?: Map<string, unknown>,
  ) {}

  bind(key: string, value: unknown): void {
    if (this.local) {
      if (this.local.has(key)) throw new InterpolationError('already-bound', messages.alreadyBound(this.name, key), messages.alreadyBoundHint);
      this.local.set(key, value);
      return;
    }
    this.bindings.bind(this.name, key, value);
  }

  /** The stage's own `key`. */
  own(key: string): { found: true; value: unknown } | { found: false } {
    if (this.local) return this.local.has(key) ? { found: true, value: this.local.get(key) } : { found: false };
    return this.bindings.lookup(this.name, key);
  }

  /** An ancestor's `key`; throws `ancestor-not-found` for any other namespace. */
  ofAncestor(ns: string, key: string): { found: true; value: unknown } | { found: false } {
    if (!this.ancestors.has(ns)) {
      const stages = this.bindings.graph.nodes();
      throw new InterpolationError('ancestor-not-found', messages.notAncestor(ns, this.name), messages.notAncestorHint(ns, this.name, stages));
    }
    return this.bindings.lookup(ns, key);
  }

  /** Names this context can read, for "no value bound" messages. */
  available(): string[] {
    const own = this.local ? [...this.local.keys()].map((k) => `.${k}`) : [];
    const visible = new Set([...this.ancestors, this.name]);
    return [...own, ...this.bindings.keys().filter((name) => visible.has(name.slice(0, name.indexOf('.'))))];
  }

  /** An anonymous child context (a `$each` iteration) whose ancestors are this stage and its ancestors. */
  child(values: Record<string, unknown>): StageContext {
    return new StageContext(this.bindings, `$each(${this.name})`, new Set([this.name, ...this.ancestors]), new Map(Object.entries(values)));
  }
}
