import test from 'ava';
import { runCli } from '../../helpers/cli.js';

test('--help lists every command of the contract and exits 0', async (t) => {
  const { exitCode, stdout } = await runCli(['--help']);
  t.is(exitCode, 0);
  for (const command of ['doctor', 'render', 'build', 'ci', 'up', 'down', 'status', 'logs', 'e2e', 'dev', 'secrets']) {
    t.regex(stdout, new RegExp(`^  ${command}\\b`, 'm'), command);
  }
  for (const flag of ['-C, --dir', '--json', '--verbose', '--no-color', '--profile', '--target']) t.true(stdout.includes(flag), flag);
});

test('--version prints the package version', async (t) => {
  const { exitCode, stdout } = await runCli(['--version']);
  t.is(exitCode, 0);
  t.regex(stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('an unknown command is a usage error (exit 2)', async (t) => {
  const { exitCode, stderr } = await runCli(['nosuch']);
  t.is(exitCode, 2);
  t.regex(stderr, /unknown command 'nosuch'/);
});

test('an invalid --target is a usage error (exit 2)', async (t) => {
  const { exitCode, stderr } = await runCli(['--target', 'nomad', 'doctor']);
  t.is(exitCode, 2);
  t.regex(stderr, /Allowed choices are compose, minikube/);
});

test('a malformed --build-arg is a usage error (exit 2) with an example', async (t) => {
  const { exitCode, stderr } = await runCli(['render', 'test', '--build-arg', 'NOVALUE']);
  t.is(exitCode, 2);
  t.regex(stderr, /--build-arg expects KEY=VALUE, got "NOVALUE"/);
  t.regex(stderr, /hint: for example --build-arg VERSION=1\.2/);
});

const pending = test.macro({
  async exec(t, command: string[], issue: RegExp) {
    const { exitCode, stderr } = await runCli(command);
    t.is(exitCode, 2);
    t.regex(stderr, /is not implemented yet/);
    t.regex(stderr, issue);
  },
  title: (_p, command: string[]) => `devpipe ${command.join(' ')} says it is not implemented yet (exit 2)`,
});

test(pending, ['dev'], /issue #6/);

test('with --json an error is one JSON line on stdout, and readable text on stderr', async (t) => {
  const { exitCode, stdout, stderr } = await runCli(['--json', 'dev']);
  t.is(exitCode, 2);
  const event = JSON.parse(stdout.trim()) as Record<string, unknown>;
  t.like(event, { type: 'error', kind: 'not-implemented', exitCode: 2 });
  t.regex(stderr, /^error: `devpipe dev` is not implemented yet/);
});
