/**
 * The TTY view of `devpipe dev`: log lines scroll above, a status block per service stays at the
 * bottom (image tag, state, last build time and reason, health, last test result), with the key
 * bindings. Redrawn in place on every change.
 */
import type { DevServiceView, DevpipeEvent, EventBus } from '../engine/events.js';
import { formatDuration, paint, shortId } from './format.js';
import type { Reporter, ReporterOptions } from './reporter.js';

export class DevView implements Reporter {
  readonly #services = new Map<string, DevServiceView>();
  #blockLines = 0;
  #showLogs = true;
  #iteration = '';
  readonly #p;

  constructor(private readonly options: ReporterOptions) {
    this.#p = paint(options.color);
  }

  attach(bus: EventBus): void {
    bus.subscribe((event) => this.#on(event));
  }

  toggleLogs(): boolean {
    this.#showLogs = !this.#showLogs;
    this.#line(this.#p.dim(`service logs ${this.#showLogs ? 'shown' : 'hidden'} (l toggles)`));
    return this.#showLogs;
  }

  #write(text: string): void {
    this.options.streams.err.write(text);
  }

  #clearBlock(): void {
    if (this.#blockLines > 0) this.#write(`\u001b[${this.#blockLines}A\u001b[J`);
    this.#blockLines = 0;
  }

  #drawBlock(): void {
    const p = this.#p;
    const rows = [...this.#services.values()].map((s) => {
      const state = s.state === 'failed' ? p.red(s.state) : s.state === 'running' || s.state === 'pinned' ? p.green(s.state) : p.yellow(s.state);
      const build = s.lastBuild ? `${s.lastBuild.result} in ${formatDuration(s.lastBuild.durationMs)} at ${clock(s.lastBuild.at)} (${s.lastBuild.reason.slice(0, 2).join(', ')}${s.lastBuild.reason.length > 2 ? ', …' : ''})` : '';
      const test = s.test ? (s.test.result === 'passed' ? p.green('tests passed') : s.test.result === 'failed' ? p.red('tests failed') : s.test.result === 'cancelled' ? p.dim('tests cancelled') : p.yellow('testing')) : '';
      return `  ${p.bold(s.service.padEnd(12))} ${state.padEnd(18)} ${s.image} ${p.dim(s.health !== 'none' ? s.health : '')} ${p.dim(build)} ${test}${s.detail ? `\n    ${s.state === 'failed' ? p.red(s.detail) : p.dim(s.detail)}` : ''}`;
    });
    const lines = [p.dim('─'.repeat(60)), ...rows.join('\n').split('\n'), p.dim(`${this.#iteration}  keys: r rebuild all · e e2e · l logs · q quit`)];
    this.#write(`${lines.join('\n')}\n`);
    this.#blockLines = lines.length;
  }

  #line(text: string): void {
    this.#clearBlock();
    this.#write(`${text}\n`);
    this.#drawBlock();
  }

  #on(event: DevpipeEvent): void {
    const p = this.#p;
    switch (event.type) {
      case 'dev:service':
        this.#services.set(event.service, event);
        this.#clearBlock();
        this.#drawBlock();
        break;
      case 'dev:iteration':
        if (event.phase === 'start') {
          this.#iteration = p.yellow(`#${event.n} ${event.reason.slice(0, 3).join(', ')}`);
          this.#line(p.cyan(`▶ #${event.n} changed: ${event.reason.slice(0, 5).join(', ')}${event.reason.length > 5 ? ` and ${event.reason.length - 5} more` : ''}`));
        } else {
          const mark = event.outcome === 'failed' ? p.red('✖') : event.outcome === 'cancelled' ? p.yellow('↺') : event.outcome === 'noop' ? p.dim('·') : p.green('✔');
          this.#iteration = `#${event.n} ${event.outcome ?? ''}`;
          this.#line(`${mark} #${event.n} ${event.outcome ?? ''} in ${formatDuration(event.durationMs ?? 0)}${event.detail ? ` — ${event.detail}` : ''}`);
        }
        break;
      case 'dev:log':
        if (this.#showLogs) this.#line(`${p.cyan(event.service.padEnd(10))}| ${event.line}`);
        break;
      case 'task:start':
        if (event.id.startsWith('build:') || event.id.startsWith('test:') || event.id === 'e2e') this.#line(p.dim(`  ${event.title}…`));
        break;
      case 'task:log':
        if (event.id.startsWith('test:') || event.id === 'e2e' || this.options.verbose) this.#line(`  ${p.dim(`${event.id} |`)} ${event.line}`);
        break;
      case 'task:end':
        if (event.status === 'failed') this.#line(`  ${p.red('✖')} ${event.id} ${event.detail ?? ''}`);
        break;
      case 'image:built':
        this.#line(`  ${p.green('■')} ${event.variant}: ${event.tags[0] ?? ''} ${p.dim(shortId(event.imageId))}${event.cached ? p.dim(' (unchanged)') : ''}`);
        break;
      case 'message':
        this.#line(event.level === 'error' ? p.red(event.text) : event.level === 'warn' ? p.yellow(event.text) : p.dim(event.text));
        break;
      default:
        break;
    }
  }

  async finish(): Promise<void> {
    this.#clearBlock();
  }
}

function clock(iso: string): string {
  const date = new Date(iso);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}:${String(date.getSeconds()).padStart(2, '0')}`;
}
