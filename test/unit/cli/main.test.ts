import test from 'ava';
import { runCli } from '../../helpers/cli.js';
import { tempProject } from '../../helpers/tmp.js';

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

test('with --json an error is one JSON line on stdout, and readable text on stderr', async (t) => {
  const dir = await tempProject({ '.pipeline/blubber.yaml': 'version: v4\nvariants:\n  test: {base: debian:bookworm-slim, bse: x}\n' });
  const { exitCode, stdout, stderr } = await runCli(['--json', '-C', dir, 'render', 'test']);
  t.is(exitCode, 2);
  const lines = stdout.trim().split('\n');
  const event = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
  t.like(event, { type: 'error', kind: 'spec', exitCode: 2 });
  t.like((event.issues as Record<string, unknown>[])[0], { line: 3, col: 38, path: 'variants.test.bse' });
  t.regex(stderr, /^error: \S*\.pipeline\/blubber\.yaml:3:38 variants\.test\.bse: unknown key "bse"/);
});
