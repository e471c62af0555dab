/**
 * Entry point: parse argv, run one command, map any error to its exit code. Kept light: only
 * commander and the error types load before a command is chosen.
 */
import { createRequire } from 'node:module';
import { CommanderError } from 'commander';
import { DevpipeError, toDevpipeError } from '../errors.js';
import type { Context, GlobalOptions } from './context.js';
import { buildProgram } from './program.js';

export interface MainOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A command: its options are the typed interface declared beside it (what commander parsed, plus the run's signal). */
export type CommandModule = { run(ctx: Context, args: unknown[], options: never): Promise<number> };

const modules: Record<string, () => Promise<CommandModule>> = {
  doctor: () => import('./commands/doctor.js'),
  render: () => import('./commands/render.js'),
  build: () => import('./commands/build.js'),
  ci: () => import('./commands/ci.js'),
  up: () => import('./commands/up.js'),
  down: () => import('./commands/down.js'),
  status: () => import('./commands/status.js'),
  logs: () => import('./commands/logs.js'),
  e2e: () => import('./commands/e2e.js'),
  dev: () => import('./commands/dev.js'),
  'secrets-check': () => import('./commands/secrets-check.js'),
  prune: () => import('./commands/prune.js'),
  'import-staging': () => import('./commands/import-staging.js'),
};

function packageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../../package.json') as { version: string }).version;
}

export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  let exitCode = 0;
  let globals: GlobalOptions = { json: argv.includes('--json'), verbose: argv.includes('--verbose'), color: true };
  let ctx: Context | undefined;

  const dispatch = async (name: string, g: GlobalOptions, args: unknown[], opts: Record<string, unknown>) => {
    globals = g;
    const load = modules[name];
    if (!load) throw new DevpipeError('internal', `no module for command ${name}`);
    if (g.dir !== undefined) await (await import('./adapters.js')).checkProjectDir(g.dir, options.cwd ?? process.cwd());
    const { Context } = await import('./context.js');
    ctx = new Context(g, env, { out: stdout, err: stderr }, options.cwd ?? process.cwd());
    const abort = new AbortController();
    // `on`, not `once`: signal-exit (used by execa and listr2) re-raises a signal when no other
    // listener is left, which would kill devpipe before its cleanup (teardown, builds cancelled).
    // A second Ctrl-C exits at once.
    const onSignal = () => {
      if (abort.signal.aborted) process.exit(130);
      abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const module = await load();
      return await module.run(ctx, args, { ...opts, signal: abort.signal } as never);
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await ctx.finish();
    }
  };

  const program = buildProgram(packageVersion(), dispatch, (code) => (exitCode = code), {
    writeOut: (text) => stdout.write(text),
    writeErr: (text) => stderr.write(text),
  });
  try {
    await program.parseAsync([...argv], { from: 'node' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      if (error.code === 'commander.executeSubCommandAsync') return exitCode;
      return 2;
    }
    const raw = toDevpipeError(error);
    // The run's one redaction point (cli/context.ts) covers the final error too, --verbose stacks included.
    const redactor = (ctx as Context | undefined)?.redactor;
    const failure = redactor ? (redactor.error(raw) as DevpipeError) : raw;
    if (globals.json) {
      stdout.write(`${JSON.stringify({ type: 'error', time: new Date().toISOString(), ...failure.toJSON() })}\n`);
    }
    const verbose = globals.verbose ? raw.explain(true).split('\n').slice(raw.explain(false).split('\n').length) : [];
    stderr.write(`${[failure.explain(false), ...verbose.map((line) => (redactor ? redactor.text(line) : line))].join('\n')}\n`);
    return failure.exitCode;
  }
}
