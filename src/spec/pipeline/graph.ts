/**
 * The execution graph (reference §3.2), reproducing PipelineLib's ExecutionGraph: `execution` is a
 * list of arcs, each arc `[a, b, c]` adds edges a→b→c and a one-element arc an isolated node; the
 * whole pipeline is `setup` → graph → `teardown`; and stages run **frame by frame**: frame 1 is the
 * roots, frame k+1 the successors of frame-k stages whose predecessors have all completed. Order
 * inside a frame is PipelineLib's (insertion order of its ordered sets), so `graphText` prints
 * what Jenkins would run.
 */
import { SETUP, TEARDOWN, type Pipeline } from './types.js';

function addAll(set: Set<string>, items: Iterable<string>): void {
  for (const item of items) set.add(item);
}

export class CycleError extends Error {
  override readonly name = 'CycleError';
  constructor(
    /** The nodes left unscheduled. */
    readonly remaining: string[],
    /** One cycle among them, first node repeated at the end: `[a, b, a]`. */
    readonly cycle: string[],
  ) {
    super(`cycle detected in graph: ${cycle.join(' → ')}`);
  }
}

export class ExecutionGraph {
  /** node → successors, in insertion order (PipelineLib's `progression`). */
  private readonly progression = new Map<string, Set<string>>();
  /** node → predecessors (PipelineLib's `recession`). */
  private readonly recession = new Map<string, Set<string>>();
  private readonly isolates = new Set<string>();

  constructor(arcs: readonly (readonly string[])[] = []) {
    for (const arc of arcs) this.addArc(arc);
  }

  private addArc(arc: readonly string[]): void {
    if (arc.length === 1) this.isolates.add(arc[0]!);
    for (let i = 0; i + 1 < arc.length; i++) this.addSuccession(arc[i]!, [arc[i + 1]!]);
  }

  private addSuccession(predecessor: string, successors: Iterable<string>): void {
    const list = [...successors];
    let out = this.progression.get(predecessor);
    if (!out) this.progression.set(predecessor, (out = new Set()));
    addAll(out, list);
    for (const successor of list) {
      let into = this.recession.get(successor);
      if (!into) this.recession.set(successor, (into = new Set()));
      into.add(predecessor);
    }
    // In place (a Set keeps the order of the rest): rebuilding it made n stages quadratic.
    this.isolates.delete(predecessor);
    for (const successor of list) this.isolates.delete(successor);
  }

  /** Every node, in first-seen order. */
  nodes(): string[] {
    return [...new Set([...this.progression.keys(), ...this.recession.keys(), ...this.isolates])];
  }

  has(node: string): boolean {
    return this.progression.has(node) || this.recession.has(node) || this.isolates.has(node);
  }

  outOf(node: string): string[] {
    return [...(this.progression.get(node) ?? [])];
  }

  inTo(node: string): string[] {
    return [...(this.recession.get(node) ?? [])];
  }

  inDegreeOf(node: string): number {
    return this.inTo(node).length;
  }

  outDegreeOf(node: string): number {
    return this.outOf(node).length;
  }

  /** Nodes without incoming edges, plus isolates (PipelineLib's order). */
  roots(): string[] {
    const keys = [...this.progression.keys()].filter((n) => !this.recession.has(n));
    return [...new Set([...keys, ...this.isolates])];
  }

  /** Nodes without outgoing edges, plus isolates. */
  leaves(): string[] {
    const keys = [...this.recession.keys()].filter((n) => !this.progression.has(n));
    return [...new Set([...keys, ...this.isolates])];
  }

  /** Every node from which `node` can be reached (cycle-safe). */
  ancestorsOf(node: string): Set<string> {
    const seen = new Set<string>();
    const stack = this.inTo(node);
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...this.inTo(next));
    }
    return seen;
  }

  /** Union (PipelineLib's `|`). */
  union(other: ExecutionGraph): ExecutionGraph {
    const graph = new ExecutionGraph();
    for (const source of [this, other]) {
      for (const [node, successors] of source.progression) graph.addSuccession(node, successors);
      for (const isolate of source.isolates) graph.isolates.add(isolate);
    }
    return graph;
  }

  /** Concatenation (PipelineLib's `+`): the union, with every leaf of this joined to every root of `other`. */
  concat(other: ExecutionGraph): ExecutionGraph {
    const graph = this.union(other);
    const roots = other.roots();
    for (const leaf of this.leaves()) graph.addSuccession(leaf, roots);
    return graph;
  }

  /**
   * Frames of nodes that run in parallel, in PipelineLib's level-synchronous order. Throws a
   * CycleError when no next frame can be formed before every node is scheduled.
   */
  frames(): string[][] {
    const frames: string[][] = [];
    const size = this.nodes().length;
    const traversed = new Set<string>();
    let previous: string[] = [];
    while (traversed.size < size) {
      let next: string[];
      if (previous.length === 0) {
        next = this.roots();
      } else {
        const ready = new Set<string>();
        for (const node of previous) {
          for (const out of this.outOf(node)) {
            if (this.inTo(out).every((p) => traversed.has(p))) ready.add(out);
          }
        }
        next = [...ready];
      }
      if (next.length === 0) {
        const remaining = this.nodes().filter((n) => !traversed.has(n));
        throw new CycleError(remaining, this.findCycle(remaining));
      }
      addAll(traversed, next);
      previous = next;
      frames.push(next);
    }
    return frames;
  }

  /** A cycle among `candidates` (depth-first), `[a, b, a]`; [] when there is none. */
  findCycle(candidates: readonly string[] = this.nodes()): string[] {
    const allowed = new Set(candidates);
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (node: string): string[] | undefined => {
      state.set(node, 'open');
      path.push(node);
      for (const out of this.outOf(node)) {
        if (!allowed.has(out)) continue;
        if (state.get(out) === 'open') return [...path.slice(path.indexOf(out)), out];
        if (!state.has(out)) {
          const found = visit(out);
          if (found) return found;
        }
      }
      path.pop();
      state.set(node, 'done');
      return undefined;
    };
    for (const node of candidates) {
      if (state.has(node)) continue;
      const found = visit(node);
      if (found) return found;
    }
    return [];
  }

  /** Every edge as `[from, to]`, in insertion order. */
  edges(): [string, string][] {
    const out: [string, string][] = [];
    for (const [from, successors] of this.progression) for (const to of successors) out.push([from, to]);
    return out;
  }

  isolatedNodes(): string[] {
    return [...this.isolates];
  }

  /** PipelineLib's own one-line DOT rendering: `digraph { a -> b; b -> c; x }`. */
  toString(): string {
    const parts = [...this.edges().map(([a, b]) => `${a} -> ${b}`), ...this.isolates];
    return `digraph { ${parts.join('; ')} }`;
  }
}

/** The graph of a pipeline's `execution`, without setup and teardown. */
export function executionGraph(pipeline: Pick<Pipeline, 'execution'>): ExecutionGraph {
  return new ExecutionGraph(pipeline.execution);
}

/** `setup` → execution graph → `teardown`: the graph PipelineLib actually runs. */
export function pipelineGraph(pipeline: Pick<Pipeline, 'execution'>): ExecutionGraph {
  return new ExecutionGraph([[SETUP]]).concat(executionGraph(pipeline)).concat(new ExecutionGraph([[TEARDOWN]]));
}

/** The frames of user stages (setup and teardown left out). Throws CycleError on a cycle. */
export function stageFrames(pipeline: Pick<Pipeline, 'execution'>): string[][] {
  return pipelineGraph(pipeline)
    .frames()
    .map((frame) => frame.filter((n) => n !== SETUP && n !== TEARDOWN))
    .filter((frame) => frame.length > 0);
}

/** The stages a stage may read values from: its ancestors in the graph, setup included. */
export function ancestorsOf(pipeline: Pick<Pipeline, 'execution'>, stage: string): Set<string> {
  return pipelineGraph(pipeline).ancestorsOf(stage);
}

/**
 * Human-readable frames for `devpipe ci --graph`, one line per frame, parallel stages joined by
 * ` ∥ `: `frame 1: build`, `frame 2: test ∥ lint`. Throws CycleError on a cycle.
 */
export function graphText(pipeline: Pick<Pipeline, 'execution'>, options: { setupTeardown?: boolean } = {}): string {
  const frames = options.setupTeardown ? pipelineGraph(pipeline).frames() : stageFrames(pipeline);
  return frames.map((frame, i) => `frame ${i + 1}: ${frame.join(' ∥ ')}`).join('\n');
}

function dotId(name: string): string {
  return `"${name.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Graphviz DOT of the graph PipelineLib runs (setup and teardown dashed), with the stages of each
 * frame on one rank. Throws CycleError on a cycle.
 */
export function graphDot(pipeline: Pick<Pipeline, 'execution' | 'name'>): string {
  const graph = pipelineGraph(pipeline);
  const frames = graph.frames();
  const lines = [`digraph ${dotId(pipeline.name)} {`, '  rankdir=LR;', '  node [shape=box];'];
  for (const node of [SETUP, TEARDOWN]) lines.push(`  ${dotId(node)} [style=dashed];`);
  for (const [from, to] of graph.edges()) lines.push(`  ${dotId(from)} -> ${dotId(to)};`);
  for (const node of graph.isolatedNodes()) lines.push(`  ${dotId(node)};`);
  for (const frame of frames) {
    if (frame.length > 1) lines.push(`  { rank=same; ${frame.map(dotId).join('; ')}; }`);
  }
  lines.push('}');
  return lines.join('\n');
}
