import test from 'ava';
import { DevpipeError, exitCodes, InternalError, notImplemented, toDevpipeError, type ErrorKind } from '../../src/errors.js';

const exitCase = test.macro({
  exec(t, kind: ErrorKind, code: number) {
    t.is(new DevpipeError(kind, 'x').exitCode, code);
    t.is(exitCodes[kind], code);
  },
  title: (_provided, kind: ErrorKind, code: number) => `kind ${kind} exits ${code}`,
});

test(exitCase, 'failure', 1);
test(exitCase, 'spec', 2);
test(exitCase, 'usage', 2);
test(exitCase, 'not-implemented', 2);
test(exitCase, 'environment', 3);
test(exitCase, 'interrupted', 130);
test(exitCase, 'internal', 70);

test('explain shows message, details and hint, and the stack only when verbose', (t) => {
  const error = new DevpipeError('environment', 'cannot reach the Docker engine', {
    hint: 'start it',
    details: ['found via: socket /var/run/docker.sock'],
    cause: new Error('connect ENOENT'),
  });
  const plain = error.explain(false);
  t.is(plain, 'error: cannot reach the Docker engine\n  found via: socket /var/run/docker.sock\nhint: start it');
  const verbose = error.explain(true);
  t.regex(verbose, /DevpipeError: cannot reach the Docker engine\n\s+at /);
  t.regex(verbose, /cause:\nError: connect ENOENT/);
});

test('unknown errors become internal errors that say they are bugs', (t) => {
  const error = toDevpipeError(new TypeError('x is undefined'));
  t.true(error instanceof InternalError);
  t.is(error.exitCode, 70);
  t.regex(error.message, /unexpected error: x is undefined \(this is a bug in devpipe/);
  t.is(toDevpipeError(error), error);
});

test('an AbortError is an interruption (exit 130)', (t) => {
  const abort = new Error('aborted');
  abort.name = 'AbortError';
  t.is(toDevpipeError(abort).exitCode, 130);
});

test('notImplemented names the command and the issue that brings it', (t) => {
  const error = notImplemented('up', 'issue #5');
  t.is(error.kind, 'not-implemented');
  t.is(error.message, '`devpipe up` is not implemented yet');
  t.regex(error.hint ?? '', /issue #5/);
  t.deepEqual(error.toJSON(), { kind: 'not-implemented', exitCode: 2, message: error.message, hint: error.hint, details: [] });
});
