/**
 * Plain lines for CI logs and pipes: progress on stderr, one line per event, log lines prefixed
 * with the task id. Results (built images) are printed by the command on stdout.
 */
import type { DevpipeEvent, EventBus } from '../engine/events.js';
import { formatDuration, paint, shortId } from './format.js';
import type { Reporter, ReporterOptions } from './reporter.js';

export class PlainReporter implements Reporter {
  readonly #titles = new Map<string, string>();
  readonly #p;

  constructor(private readonly options: ReporterOptions) {
    this.#p = paint(options.color && Boolean(options.streams.err.isTTY));
  }

  attach(bus: EventBus): void {
    bus.subscribe((event) => this.#on(event));
  }

  #write(line: string): void {
    this.options.streams.err.write(`${line}\n`);
  }

  #on(event: DevpipeEvent): void {
    const p = this.#p;
    switch (event.type) {
      case 'plan':
        for (const task of event.tasks) this.#titles.set(task.id, task.title);
        break;
      case 'task:start':
        this.#titles.set(event.id, event.title);
        this.#write(`${p.cyan('▶')} ${event.title}`);
        break;
      case 'task:log':
        this.#write(`${p.dim(`${event.id} |`)} ${event.line}`);
        break;
      case 'task:end': {
        const title = this.#titles.get(event.id) ?? event.id;
        const mark = event.status === 'failed' ? p.red('✖') : event.status === 'skipped' ? p.yellow('↓') : p.green('✔');
        const detail = event.detail ? ` ${event.detail}` : '';
        this.#write(`${mark} ${title} ${p.dim(`(${event.status}, ${formatDuration(event.durationMs)})`)}${detail}`);
        break;
      }
      case 'image:built':
        this.#write(`${p.green('■')} image ${event.variant}: ${event.tags.join(', ')} ${p.dim(shortId(event.imageId))}`);
        break;
      case 'message': {
        const prefix = event.level === 'error' ? p.red('error:') : event.level === 'warn' ? p.yellow('warning:') : p.dim('info:');
        this.#write(`${prefix} ${event.text}`);
        break;
      }
      case 'dev:service':
        this.#write(`${p.dim('service')} ${event.service}: ${event.state}${event.image ? ` ${event.image}` : ''}${event.health !== 'none' ? ` (${event.health})` : ''}${event.lastBuild ? ` — last ${event.lastBuild.result} in ${formatDuration(event.lastBuild.durationMs)} (${event.lastBuild.reason.join(', ')})` : ''}${event.test ? ` — tests ${event.test.result}` : ''}${event.detail ? ` — ${event.detail}` : ''}`);
        break;
      case 'dev:iteration':
        this.#write(
          event.phase === 'start'
            ? `${p.cyan('▶')} #${event.n} changed: ${event.reason.join(', ')}`
            : `${event.outcome === 'failed' ? p.red('✖') : p.green('✔')} #${event.n} ${event.outcome ?? ''} in ${formatDuration(event.durationMs ?? 0)}${event.detail ? ` — ${event.detail}` : ''}`,
        );
        break;
      case 'dev:log':
        this.#write(`${event.service} | ${event.line}`);
        break;
      case 'result':
        break;
    }
  }

  async finish(): Promise<void> {}
}
