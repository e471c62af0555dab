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
  /** Arbitrary structured result of a command (doctor report, summary table). */
  result: { command: string; data: unknown };
}

export type EventName = keyof EventMap;
export type DevpipeEvent = { [K in EventName]: { type: K; time: string } & EventMap[K] }[EventName];
type Listener = (event: DevpipeEvent) => void;

/** A synchronous, typed event bus. */
export class EventBus {
  readonly #listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit<K extends EventName>(type: K, payload: EventMap[K]): void {
    const event = { type, time: new Date().toISOString(), ...payload } as DevpipeEvent;
    for (const listener of this.#listeners) listener(event);
  }
}
