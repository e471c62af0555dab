/**
 * Typed engine events. The engine emits; reporters (ui/) subscribe. The same run drives the TTY
 * view, plain CI logs and --json NDJSON. Field names are part of the public contract
 * (docs/json-events.md): add fields freely, never rename or remove.
 */

export type TaskStatus = 'ok' | 'failed' | 'skipped' | 'cached';

export interface PlannedTask {
  id: string;
  title: string;
  /** The id of the enclosing task (a frame, a pipeline), if any. */
  parent?: string | undefined;
  /** Children of this task run concurrently. */
  concurrent?: boolean;
}

/** One service as the dev loop shows it. */
export interface DevServiceView {
  service: string;
  /** The image tag it runs (content-addressed for images built here). */
  image: string;
  state: 'starting' | 'building' | 'syncing' | 'deploying' | 'running' | 'failed' | 'pinned';
  health: string;
  /** The last build or sync: when, why (the files), how long, what came of it. */
  lastBuild?: { at: string; reason: string[]; durationMs: number; result: 'built' | 'synced' | 'unchanged' | 'failed' | 'cancelled' } | undefined;
  /** The last unit-test run of this service's image. */
  test?: { at: string; result: 'passed' | 'failed' | 'running' | 'cancelled' } | undefined;
  /** Why it is failed (build error, health), when it is. */
  detail?: string | undefined;
}

export interface EventMap {
  /** The tasks a run will go through, announced before the first starts. */
  /** `concurrent`: the top-level tasks run in parallel. */
  plan: { tasks: PlannedTask[]; concurrent?: boolean };
  'task:start': { id: string; title: string };
  'task:log': { id: string; line: string; stream?: 'stdout' | 'stderr' };
  'task:end': { id: string; status: TaskStatus; durationMs: number; detail?: string | undefined };
  /** A built image: the line users look for. */
  'image:built': { variant: string; imageId: string; tags: string[]; cached: boolean; durationMs: number };
  message: { level: 'info' | 'warn' | 'error'; text: string };
  /** `devpipe dev`: a service's state changed. */
  'dev:service': DevServiceView;
  /** `devpipe dev`: an iteration started or ended (`outcome` on the end). */
  'dev:iteration': {
    n: number;
    phase: 'start' | 'end';
    /** The changed files that triggered it (or `key r`, `spec changed`). */
    reason: string[];
    outcome?: 'ok' | 'failed' | 'cancelled' | 'noop' | undefined;
    durationMs?: number | undefined;
    detail?: string | undefined;
  };
  /** `devpipe dev`: one line of a service's log. */
  'dev:log': { service: string; line: string };
  /** Arbitrary structured result of a command (doctor report, summary table). */
  result: { command: string; data: unknown };
}

export type EventName = keyof EventMap;
export type DevpipeEvent = { [K in EventName]: { type: K; time: string } & EventMap[K] }[EventName];
type Listener = (event: DevpipeEvent) => void;

/** A synchronous, typed event bus. */
export class EventBus {
  readonly #listeners = new Set<Listener>();

  /** `filter` sees every payload before the listeners do (the composition root's redaction). */
  constructor(private readonly filter?: <K extends EventName>(type: K, payload: EventMap[K]) => EventMap[K]) {}

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit<K extends EventName>(type: K, payload: EventMap[K]): void {
    const event = { type, time: new Date().toISOString(), ...(this.filter ? this.filter(type, payload) : payload) } as DevpipeEvent;
    for (const listener of this.#listeners) listener(event);
  }
}
