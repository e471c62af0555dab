/**
 * Usage errors of subcommands (issue 15, item 9): a missing argument, an unknown option or a bad
 * choice is exit 2, and commander never exits the process itself; `-C` a file or a missing
 * directory is exit 2 (not ENOTDIR's exit 3).
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import test, { type ExecutionContext } from 'ava';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { tempProject } from '../../helpers/tmp.js';

// `serial`: the process.exit trap below is process-wide.
async function runTrapped(args: string[]): Promise<CliResult & { exitCalls: number[] }> {
  const exitCalls: number[] = [];
  const original = process.exit;
  process.exit = ((code?: number) => {
    exitCalls.push(code ?? 0);
    throw new Error(`process.exit(${code}) called by the CLI`);
  }) as typeof process.exit;
  try {
    return { ...(await runCli(args)), exitCalls };
  } finally {
    process.exit = original;
  }
}

const usageError = test.macro({
  async exec(t: ExecutionContext, args: string[], message: RegExp) {
    const result = await runTrapped(args);
    t.deepEqual(result.exitCalls, [], 'commander must not exit the process');
    t.is(result.exitCode, 2);
    t.regex(result.stderr, message);
  },
  title: (provided = '') => `usage error exits 2: ${provided}`,
});

test.serial('missing argument (render)', usageError, ['render'], /missing required argument 'variant'/);
test.serial('missing argument (build)', usageError, ['build'], /missing required argument 'variant'/);
test.serial('unknown option of a subcommand', usageError, ['status', '--bogus'], /unknown option '--bogus'/);
test.serial('unknown global option', usageError, ['--bogus', 'status'], /unknown option '--bogus'/);
test.serial('bad choice of a subcommand option', usageError, ['ci', '--mode', 'foo'], /Allowed choices are test, gate, postmerge/);
test.serial('missing option argument', usageError, ['up', '--secrets'], /argument missing/);

test.serial('-C naming a file is exit 2 and says it is a file', async (t) => {
  const dir = await tempProject({ 'file.txt': 'x' });
  const result = await runTrapped(['-C', path.join(dir, 'file.txt'), 'status']);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /is a file, not a directory/);
  t.notRegex(result.stderr, /ENOTDIR/);
});

test.serial('-C naming a missing directory is exit 2', async (t) => {
  const dir = await tempProject({});
  await writeFile(path.join(dir, 'x'), '');
  const result = await runTrapped(['-C', path.join(dir, 'nope'), 'status']);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /no such directory/);
});
