import test from 'ava';
import { ExecaProcessRunner } from '../../../src/process/execa-runner.js';
import { runCaptured } from '../../../src/process/captured.js';
import { DevpipeError } from '../../../src/errors.js';

test('captures stdout and stderr, strips one final newline, reports a non-zero exit without throwing', async (t) => {
  const result = await runCaptured('sh', ['-c', 'printf "a\\nb\\n\\n"; printf "oops\\n" >&2; exit 3']);
  t.deepEqual(result, { exitCode: 3, stdout: 'a\nb\n', stderr: 'oops' });
});

test('adds the given variables to the environment, runs in cwd, feeds input', async (t) => {
  process.env.DEVPIPE_CAPTURED_PARENT = 'kept';
  const result = await runCaptured('sh', ['-c', 'echo "$DEVPIPE_CAPTURED_PARENT $X $(pwd)"; cat'], { env: { X: 'given' }, cwd: '/tmp', input: 'from stdin' });
  delete process.env.DEVPIPE_CAPTURED_PARENT;
  t.is(result.stdout, 'kept given /tmp\nfrom stdin');
  t.is(result.exitCode, 0);
});

test('a command that is not installed is an environment error naming it', async (t) => {
  const error = await t.throwsAsync(runCaptured('devpipe-no-such-command', []));
  t.true(error instanceof DevpipeError);
  t.is((error as DevpipeError).kind, 'environment');
  t.regex(error!.message, /devpipe-no-such-command is not installed/);
});

test('a timeout kills the process and says so', async (t) => {
  const started = Date.now();
  const error = await t.throwsAsync(runCaptured('sleep', ['5'], { timeoutMs: 200 }));
  t.regex(error!.message, /timed out after 200 ms/);
  t.true(Date.now() - started < 3000);
});

test('an aborted signal cancels the process (interrupted)', async (t) => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const error = await t.throwsAsync(runCaptured('sleep', ['5'], { signal: controller.signal }));
  t.is((error as DevpipeError).kind, 'interrupted');
});

test('the runner answers a captured call and a streaming call alike', async (t) => {
  const runner = new ExecaProcessRunner();
  const lines: string[] = [];
  const captured = await runner.run('sh', ['-c', 'echo one; echo two; exit 4']);
  const streamed = await runner.run('sh', ['-c', 'echo one; echo two; exit 4'], { onLine: (line) => lines.push(line) });
  t.deepEqual(captured, streamed);
  t.deepEqual(lines, ['one', 'two']);
});
