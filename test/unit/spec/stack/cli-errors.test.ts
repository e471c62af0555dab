/**
 * The stack commands' bad-input errors, through the CLI in-process: all are found before any
 * engine or Compose is needed, so they run everywhere (exit 2, located, with hints).
 */
import test from 'ava';
import { runCli } from '../../../helpers/cli.js';
import { tempProject } from '../../../helpers/tmp.js';

const pinned = `services:
  web:
    image: busybox:stable
    command: [/bin/busybox, httpd, -f, -p, "8080", -h, /tmp]
    ports: ["18099:8080"]
`;

async function project(devpipe: string, extra: Record<string, string> = {}): Promise<string> {
  return tempProject({ '.pipeline/devpipe.yaml': `version: v1\nproject: errs\n${devpipe}`, ...extra });
}

test('a secret declared but with no value: exit 2 with every way to give one; then given by env', async (t) => {
  const dir = await project(`${pinned}    secrets: [db_password]\nsecrets:\n  db_password: { description: the db password }\n`);
  const { exitCode, stderr } = await runCli(['-C', dir, 'up'], { env: { XDG_CONFIG_HOME: dir } });
  t.is(exitCode, 2);
  t.regex(stderr, /error: secret "db_password" is declared but has no value/);
  t.regex(stderr, /devpipe\.yaml:10:3 secrets\.db_password: no fake value, and none given from outside the repo \(the db password\)/);
  t.regex(stderr, /hint: give a value from outside the repo: DEVPIPE_SECRET_DB_PASSWORD=… in the environment, a line `db_password: value` in .*devpipe\/secrets\/errs\.yaml, or --secrets FILE/);
  const e2e = await runCli(['-C', dir, 'e2e'], { env: { XDG_CONFIG_HOME: dir } });
  t.is(e2e.exitCode, 2, 'e2e without an e2e section says so');
  const dry = await runCli(['-C', dir, 'up', '--dry-run'], { env: { XDG_CONFIG_HOME: dir, DEVPIPE_SECRET_DB_PASSWORD: 'from-env-1234' } });
  t.is(dry.exitCode, 0, dry.stderr);
  t.regex(dry.stdout, /from: environment \(DEVPIPE_SECRET_\*\)\n\s+value: "\[redacted\]"/);
  t.false(dry.stdout.includes('from-env-1234'));
});

test('the user secrets file and --secrets FILE are read; a missing --secrets file is exit 2; a bad one is located', async (t) => {
  const dir = await project(`${pinned}    secrets: [tok]\nsecrets:\n  tok: fake-tok-value\n`, {
    'xdg/devpipe/secrets/errs.yaml': 'tok: from-user-file-1\n',
    'bad.yaml': 'tok: [not, a, string]\n',
    'good.yaml': 'tok: from-flag-file-1\nnope: x-value\n',
  });
  const env = { XDG_CONFIG_HOME: `${dir}/xdg` };
  const user = await runCli(['-C', dir, 'up', '--dry-run'], { env });
  t.regex(user.stdout, /from: xdg\/devpipe\/secrets\/errs\.yaml|from: .*errs\.yaml/);
  const flag = await runCli(['-C', dir, 'up', '--dry-run', '--secrets', 'good.yaml'], { env });
  t.regex(flag.stdout, /from: --secrets .*good\.yaml/);
  t.regex(flag.stderr, /"nope" is not a secret declared in \.pipeline\/devpipe\.yaml; ignored/);
  const missing = await runCli(['-C', dir, 'up', '--secrets', 'nosuch.yaml'], { env });
  t.is(missing.exitCode, 2);
  t.regex(missing.stderr, /error: cannot read the secrets file --secrets .*nosuch\.yaml: ENOENT/);
  const bad = await runCli(['-C', dir, 'up', '--secrets', 'bad.yaml'], { env });
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /bad\.yaml:1:6 tok: expected the secret value as a string/);
  t.false(bad.stderr.includes('not, a, string'), 'the bad value is not echoed');
});

test('a depends_on naming an unknown service: exit 2, located, with did-you-mean', async (t) => {
  const dir = await project(`services:\n  api: { image: busybox:stable, depends_on: [dbb] }\n  db: { image: busybox:stable }\n`);
  const { exitCode, stderr } = await runCli(['-C', dir, 'up']);
  t.is(exitCode, 2);
  t.regex(stderr, /devpipe\.yaml:4:46 services\.api\.depends_on\[0\]: service "api" depends on "dbb", which is not a service of this stack \(hint: did you mean "db"\?\)/);
});

test('a broken config: exit 2, every problem located; broken YAML; an unknown profile', async (t) => {
  const dir = await project(`services:\n  api:\n    imagee: busybox:stable\n    ports: [http]\n`);
  const { exitCode, stderr } = await runCli(['-C', dir, 'up', '--dry-run']);
  t.is(exitCode, 2);
  t.regex(stderr, /error: 2 problems in .*devpipe\.yaml/);
  t.regex(stderr, /devpipe\.yaml:5:5 services\.api\.imagee: unknown key "imagee" \(hint: did you mean "image"\?\)/);
  t.regex(stderr, /devpipe\.yaml:6:13 services\.api\.ports\[0\]/);
  const yaml = await project(`services:\n  api: { image: busybox:stable\n`);
  const bad = await runCli(['-C', yaml, 'up']);
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /devpipe\.yaml:\d+:\d+ invalid YAML/);
  const fine = await project(pinned);
  const profile = await runCli(['-C', fine, '--profile', 'nosuch', 'up', '--dry-run']);
  t.is(profile.exitCode, 2);
  t.regex(profile.stderr, /unknown profile "nosuch" \(hint: available profiles: ci, compose, minikube;/);
});

test('up --dry-run prints the effective config with a profile and the compose file, without an engine', async (t) => {
  const dir = await project(`${pinned}    secrets: [tok]\nsecrets:\n  tok: fake-dry-value\n`);
  const { exitCode, stdout } = await runCli(['-C', dir, '--profile', 'ci', 'up', '--dry-run'], { env: { DOCKER_HOST: 'unix:///tmp/devpipe-no-engine.sock' } });
  t.is(exitCode, 0);
  t.regex(stdout, /# effective config of .*devpipe\.yaml with profile "ci" \(target compose\)/);
  t.regex(stdout, /freshBuilds: true/);
  t.regex(stdout, /# \.devpipe\/stack\/compose\.yaml that up would write/);
  t.regex(stdout, /devpipe\.service: web/);
  t.false(stdout.includes('fake-dry-value'));
  // The minikube target (issue #7): its dry run needs no cluster either (test/unit/kube/cli.test.ts covers it).
  const minikube = await runCli(['-C', dir, '--target', 'minikube', 'up', '--dry-run']);
  t.is(minikube.exitCode, 0);
  t.regex(minikube.stdout, /kubectl --context minikube --namespace devpipe-\S+ apply -f -/);
  t.false(minikube.stdout.includes('fake-dry-value'));
});

test('credentialSource: run.credentials of devpipe ci resolve the same ids in the same order', async (t) => {
  const { Context } = await import('../../../../src/cli/context.js');
  const { credentialSource } = await import('../../../../src/engine/project/secrets.js');
  const { Writable } = await import('node:stream');
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const dir = await project(`${pinned}    secrets: [tok, other]\nsecrets:\n  tok: fake-tok-value\n  other: fake-other\n`, {
    'xdg/devpipe/secrets/errs.yaml': 'other: from-user-1\nundeclared: from-user-2\n',
    'flag.yaml': 'flagonly: from-flag-3\n',
  });
  const env = { XDG_CONFIG_HOME: `${dir}/xdg`, DEVPIPE_SECRET_ENVONLY: 'from-env-4', CI: 'true' };
  const ctx = new Context({ json: false, verbose: false, color: false, dir }, env, { out: sink, err: sink }, dir);
  const source = await credentialSource(await ctx.workspace(), 'flag.yaml');
  t.is(await source.get('tok'), 'fake-tok-value');
  t.is(await source.get('other'), 'from-user-1');
  t.is(await source.get('undeclared'), 'from-user-2');
  t.is(await source.get('envonly'), 'from-env-4');
  t.is(await source.get('flagonly'), 'from-flag-3');
  t.is(await source.get('nosuch'), undefined);
  t.regex(source.describe(), /--secrets flag\.yaml, env DEVPIPE_SECRET_<ID>, .*errs\.yaml, fakes in .*devpipe\.yaml/);
  t.true(source.values().includes('from-flag-3'));
});
