import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { formatIssue } from '../../../../src/spec/issues.js';
import { loadStack, type BuiltinProfile, type StackConfig } from '../../../../src/spec/stack/index.js';
import { readBuiltinProfiles } from '../../../../src/host/profiles.js';
import { repoRoot } from '../../../helpers/cli.js';

const builtins: BuiltinProfile[] = await readBuiltinProfiles(path.join(repoRoot, 'profiles'));
const file = '.pipeline/devpipe.yaml';

function load(text: string | undefined, profile?: string) {
  return loadStack(text, file, { directoryName: 'My Project', profile, builtins });
}

function ok(text: string | undefined, profile?: string): StackConfig {
  const result = load(text, profile);
  if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
  return result.value;
}

function errors(text: string, profile?: string): string[] {
  const result = load(text, profile);
  if (result.ok) throw new Error('expected errors');
  return result.errors.map(formatIssue);
}

const base = `version: v1
services:
  api:
    build: production
    ports: [8080]
    secrets: [token]
    healthcheck: { command: "wget -q -O- http://127.0.0.1:8080/" }
  db:
    image: postgres:16
    ports: ["15432:5432"]
    volumes: [{ name: data, path: /var/lib/postgresql/data }]
secrets:
  token: fake-token
`;

test('the fixture staging-copy loads: services in dependency order, e2e, secrets, settings', async (t) => {
  const text = await readFile(path.join(repoRoot, 'fixtures/staging-copy/.pipeline/devpipe.yaml'), 'utf8');
  const config = ok(text);
  t.is(config.project, 'staging-copy');
  t.deepEqual(config.services.map((s) => s.name), ['api', 'gateway']);
  t.deepEqual(config.services[1]?.image, { kind: 'pinned', ref: 'busybox:stable' });
  t.deepEqual(config.services[0]?.image, { kind: 'build', variant: 'production', blubber: '.pipeline/blubber.yaml' });
  t.deepEqual(config.services[1]?.ports, [{ container: 8080, host: 18080 }]);
  t.is(config.e2e?.timeoutMs, 120_000);
  t.like(config.secrets[0], { name: 'api_token', fake: 'fake-token-for-local-staging' });
  t.regex(config.secrets[0]?.declaredAt ?? '', /devpipe\.yaml:\d+:3$/);
  t.like(config.settings, { target: 'compose', healthTimeoutMs: 120_000, freshBuilds: false });
});

test('normalization: ports, shell healthcheck, durations, defaults', (t) => {
  const config = ok(base);
  t.is(config.project, 'my-project');
  const api = config.services.find((s) => s.name === 'api');
  t.deepEqual(api?.ports, [{ container: 8080, host: 8080 }]);
  t.deepEqual(api?.healthcheck?.command, ['sh', '-c', 'wget -q -O- http://127.0.0.1:8080/']);
  t.is(api?.healthcheck?.intervalMs, 1000);
  t.deepEqual(api?.secrets, [{ name: 'token', file: true }]);
  t.deepEqual(config.services.find((s) => s.name === 'db')?.volumes, [{ kind: 'named', name: 'data', path: '/var/lib/postgresql/data', readOnly: false }]);
});

test('zero-config: no devpipe.yaml gives one service from the production variant', (t) => {
  const config = ok(undefined);
  t.is(config.file, undefined);
  t.deepEqual(config.services.map((s) => [s.name, s.image]), [['my-project', { kind: 'build', variant: 'production', blubber: '.pipeline/blubber.yaml' }]]);
  t.is(config.profile, 'compose');
});

test('profiles: built-in ci overlays settings; a project profile overlays services (maps merge, lists replace)', (t) => {
  const text = `${base}profiles:
  fast:
    settings: { health_timeout: 5s }
    services:
      api:
        env: { DEBUG: "1" }
        ports: [9090]
`;
  const ci = ok(text, 'ci');
  t.like(ci.settings, { freshBuilds: true, output: 'plain', healthTimeoutMs: 180_000 });
  const fast = ok(text, 'fast');
  t.is(fast.settings.healthTimeoutMs, 5000);
  const api = fast.services.find((s) => s.name === 'api');
  t.deepEqual(api?.ports, [{ container: 9090, host: 9090 }]);
  t.deepEqual(api?.env, { DEBUG: '1' });
  t.deepEqual(api?.secrets, [{ name: 'token', file: true }], 'untouched keys stay');
  t.deepEqual(fast.profiles.sort(), ['ci', 'compose', 'fast', 'minikube']);
  t.is(ok(text, 'minikube').settings.target, 'minikube');
});

test('the default profile lies under the project settings; a chosen one over them', (t) => {
  const text = `${base}settings: { health_timeout: 3s, fresh_builds: false }\n`;
  t.is(ok(text).settings.healthTimeoutMs, 3000);
  t.like(ok(text, 'ci').settings, { healthTimeoutMs: 180_000, freshBuilds: true });
});

test('an unknown profile is an error that lists the available ones', (t) => {
  const [message] = errors(base, 'nosuch');
  t.regex(message ?? '', /unknown profile "nosuch".*available profiles: ci, compose, minikube/);
});

const bad = test.macro({
  exec(t, text: string, expected: RegExp[]) {
    const found = errors(text);
    for (const pattern of expected) t.true(found.some((e) => pattern.test(e)), `${pattern} not in:\n${found.join('\n')}`);
  },
  title: (title = '') => `invalid: ${title}`,
});

test('a depends_on naming an unknown service (located, with did-you-mean)', bad, `version: v1
services:
  api: { build: production, depends_on: [dbb] }
  db: { image: postgres:16 }
`, [/devpipe\.yaml:3:42 services\.api\.depends_on\[0\]: service "api" depends on "dbb", which is not a service of this stack \(hint: did you mean "db"\?\)/]);

test('a secret used but not declared', bad, `version: v1
services:
  api: { build: production, secrets: [tokn] }
secrets:
  token: x-fake
`, [/3:39 services\.api\.secrets\[0\]: secret "tokn" is used but not declared.*did you mean "token"/]);

test('duplicate host ports, both build and image, neither', bad, `version: v1
services:
  a: { build: production, image: x:1, ports: [8080] }
  b: { image: y:1, ports: ["8080:80"] }
  c: { ports: [9000] }
`, [/services\.b\.ports\[0\]: host port 8080 is already published by service "a"/, /services\.a\.image: service "a" has both `build` and `image`/, /services\.c: service "c" has neither `build` nor `image`/]);

test('a dependency cycle', bad, `version: v1
services:
  a: { image: x:1, depends_on: [b] }
  b: { image: x:1, depends_on: [a] }
`, [/depends_on forms a cycle: a → b → a/]);

test('schema errors are all reported, located, with hints', bad, `version: v1
services:
  api:
    buld: production
    ports: [70000]
    healthcheck: { command: [], interval: soon }
`, [/4:5 services\.api\.buld: unknown key "buld" \(hint: did you mean "build"\?\)/, /5:13 services\.api\.ports\[0\]/, /services\.api\.healthcheck\.command: must have at least 1 item/, /services\.api\.healthcheck\.interval/]);

test('a wrong version, and a missing one', (t) => {
  t.regex(errors('version: v9\nservices: {}\n')[0] ?? '', /1:10 version: devpipe.yaml version "v9" is not supported \(hint: this devpipe reads `version: v1`; a newer devpipe may read it\)/);
  t.regex(errors('services: {}\n')[0] ?? '', /version: is required/);
});

test('broken YAML is located', (t) => {
  t.regex(errors('version: v1\nservices:\n  api: { build: production\n')[0] ?? '', /devpipe\.yaml:\d+:\d+ invalid YAML/);
});

test('an undeclared-but-unused secret is a warning, not an error', (t) => {
  const result = load(`${base.replace('    secrets: [token]\n', '')}`);
  t.true(result.ok);
  t.regex(formatIssue(result.warnings[0]!), /warning: secrets\.token: secret "token" is declared but no service uses it/);
});
