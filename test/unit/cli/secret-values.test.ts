/** Values devpipe cannot keep safe are refused at their declaration, before any build or engine call. */
import test from 'ava';
import { runCli } from '../../helpers/cli.js';
import { tempProject } from '../../helpers/tmp.js';

const blubber = 'version: v4\nbase: debian:bookworm-slim\nlives: {in: /srv/app}\nvariants:\n  production:\n    copies: [local]\n';
const noEngine = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };

async function project(stack: string): Promise<string> {
  return tempProject({ '.pipeline/blubber.yaml': blubber, '.pipeline/devpipe.yaml': stack });
}

test('a fake value shorter than 8 characters: exit 2 at its declaration, with the minimum, before any engine call', async (t) => {
  const dir = await project('version: v1\nservices:\n  api:\n    build: production\n    secrets: [tok]\nsecrets:\n  tok: {fake: abc}\n');
  for (const command of [['up'], ['dev'], ['up', '--dry-run']]) {
    const result = await runCli(['-C', dir, ...command], { env: noEngine });
    t.is(result.exitCode, 2, `${command.join(' ')}: ${result.stderr}`);
    t.regex(result.stderr, /a value must have at least 8 characters/);
    t.regex(result.stderr, /devpipe\.yaml:7:3 secrets\.tok: the value from .* has 3 character\(s\); the minimum is 8/);
  }
});

test('a short value from the environment is refused at the same declaration', async (t) => {
  const dir = await project('version: v1\nservices:\n  api:\n    build: production\n    secrets: [tok]\nsecrets:\n  tok: {fake: long-enough-fake}\n');
  const result = await runCli(['-C', dir, 'up'], { env: { ...noEngine, DEVPIPE_SECRET_TOK: 'short' } });
  t.is(result.exitCode, 2, result.stderr);
  t.regex(result.stderr, /secrets\.tok: the value from environment \(DEVPIPE_SECRET_\*\) has 5 character/);
  t.false(result.stderr.includes('short\n'));
});

test('a multi-line value asked for as an env var: exit 2 at its secrets: entry, before any build', async (t) => {
  const dir = await project('version: v1\nservices:\n  api:\n    build: production\n    secrets: [{name: key, env: KEY}]\nsecrets:\n  key: {description: a key}\n');
  const result = await runCli(['-C', dir, 'up'], { env: { ...noEngine, DEVPIPE_SECRET_KEY: '-----BEGIN-----\nline-of-the-key\n-----END-----' } });
  t.is(result.exitCode, 2, result.stderr);
  t.regex(result.stderr, /a multi-line secret value cannot be an environment variable/);
  t.regex(result.stderr, /devpipe\.yaml:7:3 secrets\.key: its value has 3 lines, and services\.api\.secrets asks for it as the env var KEY/);
  t.false(result.stderr.includes('line-of-the-key'));
});

test("redaction never rewrites devpipe's own words: a value equal to a word of the message", async (t) => {
  const dir = await project('version: v1\nservices:\n  api:\n    build: production\n    secrets: [tok, other]\nsecrets:\n  tok: {fake: declared}\n  other: {}\n');
  const result = await runCli(['-C', dir, 'up'], { env: noEngine });
  t.is(result.exitCode, 2, result.stderr);
  t.regex(result.stderr, /secret "other" is declared but has no value/);
  t.notRegex(result.stderr, /\[secret:tok\]/);
});

test('up --dry-run prints the effective config with every value redacted (fakes included)', async (t) => {
  const dir = await project('version: v1\nservices:\n  api:\n    build: production\n    secrets: [tok, word]\nsecrets:\n  tok: {fake: fake-token-for-staging}\n  word: {fake: snakeoil}\n');
  const result = await runCli(['-C', dir, 'up', '--dry-run'], { env: noEngine });
  t.is(result.exitCode, 0, result.stderr);
  t.false(result.stdout.includes('fake-token-for-staging'));
  t.false(result.stdout.includes('snakeoil'));
});
