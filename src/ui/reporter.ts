/**
 * Reporters subscribe to engine events. Three kinds: listr2 on a TTY, plain lines when not a TTY
 * or CI is set, NDJSON on --json. `selectReporter` is the only place that decides.
 */
import type { EventBus } from '../engine/events.js';

export interface Reporter {
  /** Starts listening; returns when ready. */
  attach(bus: EventBus): void;
  /** Waits for the UI to settle (listr2 finishing its render). */
  finish(): Promise<void>;
}

export interface OutputStreams {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface ReporterOptions {
  json: boolean;
  verbose: boolean;
  color: boolean;
  env: NodeJS.ProcessEnv;
  streams: OutputStreams;
}

export type ReporterKind = 'json' | 'tty' | 'plain';

export function reporterKind(options: Pick<ReporterOptions, 'json' | 'env' | 'streams'>): ReporterKind {
  if (options.json) return 'json';
  const ci = options.env.CI !== undefined && options.env.CI !== '' && options.env.CI !== 'false' && options.env.CI !== '0';
  if (!ci && options.streams.err.isTTY && options.env.TERM !== 'dumb') return 'tty';
  return 'plain';
}

export async function selectReporter(options: ReporterOptions, view: 'tasks' | 'dev' = 'tasks'): Promise<Reporter> {
  switch (reporterKind(options)) {
    case 'json': {
      const { JsonReporter } = await import('./json-reporter.js');
      return new JsonReporter(options.streams.out);
    }
    case 'tty': {
      if (view === 'dev') {
        const { DevView } = await import('./dev-view.js');
        return new DevView(options);
      }
      const { ListrReporter } = await import('./listr-reporter.js');
      return new ListrReporter(options);
    }
    default: {
      const { PlainReporter } = await import('./plain-reporter.js');
      return new PlainReporter(options);
    }
  }
}
