/**
 * The TTY view: listr2 tasks driven by engine events. A `plan` event declares the task tree up
 * front; each listr task settles when its `task:end` arrives. Log lines show under the running
 * task (the last few) and the whole log stays available with --verbose. Tasks that start without
 * a plan get a listr of their own.
 */
import { Listr, type ListrTask, type ListrTaskWrapper } from 'listr2';
import type { DevpipeEvent, EventBus, PlannedTask, TaskStatus } from '../engine/events.js';
import { formatDuration, paint } from './format.js';
import type { Reporter, ReporterOptions } from './reporter.js';

interface Slot {
  settle: (status: TaskStatus, detail?: string) => void;
  wrapper?: ListrTaskWrapper<unknown, never, never>;
  promise: Promise<{ status: TaskStatus; detail?: string | undefined }>;
  title: string;
  started: number;
}

type AnyWrapper = ListrTaskWrapper<unknown, never, never>;

export class ListrReporter implements Reporter {
  readonly #slots = new Map<string, Slot>();
  readonly #runs: Promise<unknown>[] = [];
  readonly #p;

  constructor(private readonly options: ReporterOptions) {
    this.#p = paint(options.color);
  }

  attach(bus: EventBus): void {
    bus.subscribe((event) => this.#on(event));
  }

  #slot(id: string, title: string): Slot {
    let slot = this.#slots.get(id);
    if (!slot) {
      let settle!: Slot['settle'];
      const promise = new Promise<{ status: TaskStatus; detail?: string | undefined }>((resolve) => {
        settle = (status, detail) => resolve({ status, detail });
      });
      slot = { settle, promise, title, started: Date.now() };
      this.#slots.set(id, slot);
    }
    return slot;
  }

  #task(planned: PlannedTask, all: PlannedTask[]): ListrTask<unknown, never, never> {
    const slot = this.#slot(planned.id, planned.title);
    const children = all.filter((t) => t.parent === planned.id);
    return {
      title: planned.title,
      task: async (_ctx, task) => {
        slot.wrapper = task as AnyWrapper;
        if (children.length > 0) {
          return task.newListr(children.map((child) => this.#task(child, all)), {
            concurrent: planned.concurrent ?? false,
            exitOnError: false,
          });
        }
        const { status, detail } = await slot.promise;
        this.#finishTask(task as AnyWrapper, slot, status, detail);
        return undefined;
      },
    };
  }

  #finishTask(task: AnyWrapper, slot: Slot, status: TaskStatus, detail?: string): void {
    const time = this.#p.dim(`(${formatDuration(Date.now() - slot.started)})`);
    const suffix = detail ? ` ${detail}` : '';
    if (status === 'failed') throw new Error(`${slot.title}${suffix}`);
    if (status === 'skipped') {
      task.skip(`${slot.title}${suffix}`);
      return;
    }
    task.title = `${slot.title} ${time}${status === 'cached' ? this.#p.dim(' cached') : ''}${suffix}`;
  }

  #run(tasks: ListrTask<unknown, never, never>[], concurrent = false): void {
    const listr = new Listr<unknown, 'default', 'simple'>(tasks as never, {
      concurrent,
      exitOnError: false,
      renderer: 'default',
      fallbackRenderer: 'simple',
      rendererOptions: { collapseSubtasks: false, showErrorMessage: true, timer: undefined },
    });
    this.#runs.push(listr.run().catch(() => undefined));
  }

  #on(event: DevpipeEvent): void {
    switch (event.type) {
      case 'plan': {
        const roots = event.tasks.filter((t) => !t.parent || !event.tasks.some((o) => o.id === t.parent));
        this.#run(roots.map((root) => this.#task(root, event.tasks)), event.concurrent ?? false);
        break;
      }
      case 'task:start': {
        const known = this.#slots.get(event.id);
        if (known) {
          known.started = Date.now();
        } else {
          this.#run([this.#task({ id: event.id, title: event.title }, [])]);
        }
        break;
      }
      case 'task:log': {
        const slot = this.#slots.get(event.id);
        if (slot?.wrapper) slot.wrapper.output = event.line;
        else if (this.options.verbose) this.options.streams.err.write(`${event.id} | ${event.line}\n`);
        break;
      }
      case 'task:end':
        this.#slot(event.id, event.id).settle(event.status, event.detail);
        break;
      case 'image:built': // printed prominently by the command once the view has settled
        break;
      case 'message':
        if (event.level !== 'info' || this.options.verbose) this.options.streams.err.write(`${event.level}: ${event.text}\n`);
        break;
      case 'result':
        break;
    }
  }

  async finish(): Promise<void> {
    for (const slot of this.#slots.values()) slot.settle('skipped', 'not run');
    await Promise.all(this.#runs);
  }
}
