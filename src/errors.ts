/**
 * DevpipeError: every failure a user can meet, with a kind that decides the exit code, a message
 * for the user (no stack), a hint (the next step to try) and the original cause.
 */

export type ErrorKind =
  /** The user's own build, test or stage failed. */
  | 'failure'
  /** Bad input: a spec file, a flag, an argument. Nothing was built or started. */
  | 'spec'
  | 'usage'
  /** The environment: engine unreachable, a tool missing, a port taken. */
  | 'environment'
  /** A command that exists in the contract but whose capability has not landed yet. */
  | 'not-implemented'
  /** Ctrl-C. */
  | 'interrupted'
  /** A bug in devpipe. */
  | 'internal';

export const exitCodes: Record<ErrorKind, number> = {
  failure: 1,
  spec: 2,
  usage: 2,
  'not-implemented': 2,
  environment: 3,
  interrupted: 130,
  internal: 70,
};

export interface DevpipeErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
  /** Extra lines shown under the message (evidence: stderr tail, located issues). */
  details?: readonly string[] | undefined;
}

export class DevpipeError extends Error {
  override readonly name: string = 'DevpipeError';
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly details: readonly string[];

  constructor(kind: ErrorKind, message: string, options: DevpipeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }

  get exitCode(): number {
    return exitCodes[this.kind];
  }

  /** Terminal rendering: message, details, hint; the stack only when verbose. */
  explain(verbose = false): string {
    const lines = [`error: ${this.message}`];
    for (const detail of this.details) lines.push(`  ${detail}`);
    if (this.hint) lines.push(`hint: ${this.hint}`);
    if (verbose) {
      if (this.stack) lines.push('', this.stack);
      if (this.cause instanceof Error && this.cause.stack) lines.push('cause:', this.cause.stack);
      else if (this.cause !== undefined) lines.push(`cause: ${String(this.cause)}`);
    }
    return lines.join('\n');
  }

  toJSON(): Record<string, unknown> {
    return { kind: this.kind, exitCode: this.exitCode, message: this.message, hint: this.hint, details: this.details };
  }
}

export class InternalError extends DevpipeError {
  override readonly name = 'InternalError';
  constructor(message: string, cause?: unknown) {
    super('internal', `${message} (this is a bug in devpipe; please report it with the output of --verbose)`, { cause });
  }
}

export function notImplemented(command: string, issue: string): DevpipeError {
  return new DevpipeError('not-implemented', `\`devpipe ${command}\` is not implemented yet`, {
    hint: `it arrives with ${issue}; see docs/roadmap.md`,
  });
}

/** Anything thrown at the top becomes a DevpipeError; unknown errors are bugs. */
export function toDevpipeError(error: unknown): DevpipeError {
  if (error instanceof DevpipeError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new DevpipeError('interrupted', 'interrupted', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError(`unexpected error: ${message}`, error);
}
