/** --json: one event per line (NDJSON) on stdout. Field names are documented in docs/json-events.md. */
import type { EventBus } from '../engine/events.js';
import type { Reporter } from './reporter.js';

export class JsonReporter implements Reporter {
  constructor(private readonly out: NodeJS.WritableStream) {}

  attach(bus: EventBus): void {
    bus.subscribe((event) => {
      this.out.write(`${JSON.stringify(event)}\n`);
    });
  }

  async finish(): Promise<void> {}
}
