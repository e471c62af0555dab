import test from 'ava';
import { EventBus, type DevpipeEvent } from '../../../../src/engine/events.js';
import { Redactor, RedactingBus } from '../../../../src/engine/stack/redact.js';
import { credentialsFor, envLayer, fakeLayer, missingSecretsError, resolveSecrets, secretEnvVar } from '../../../../src/engine/stack/secrets.js';
import { DevpipeError } from '../../../../src/errors.js';
import type { SecretDeclaration } from '../../../../src/spec/stack/types.js';

const declared: SecretDeclaration[] = [
  { name: 'api-token', fake: 'fake-api', declaredAt: 'devpipe.yaml:10:3' },
  { name: 'db_password', declaredAt: 'devpipe.yaml:12:3', description: 'the db password' },
];

test('env var names: upper case, non-alphanumerics become _', (t) => {
  t.is(secretEnvVar('api-token'), 'DEVPIPE_SECRET_API_TOKEN');
  t.is(secretEnvVar('db.pass'), 'DEVPIPE_SECRET_DB_PASS');
});

const order = test.macro({
  exec(t, layers: { user?: Record<string, string>; env?: Record<string, string>; flag?: Record<string, string> }, expected: [string, string]) {
    const all = [fakeLayer(declared, 'devpipe.yaml')];
    if (layers.user) all.push({ source: 'user file', values: layers.user });
    all.push(envLayer(layers.env ?? {}, declared));
    if (layers.flag) all.push({ source: '--secrets', values: layers.flag });
    const found = resolveSecrets(declared, [...all, { source: 'db', values: { db_password: 'pw-from-somewhere' } }]).resolved.find((s) => s.name === 'api-token');
    t.deepEqual([found?.value, found?.source], expected);
  },
  title: (title = '') => `resolution order: ${title}`,
});

test('the fake value when nothing else', order, {}, ['fake-api', 'devpipe.yaml (fake value)']);
test('user file beats the fake', order, { user: { 'api-token': 'from-user' } }, ['from-user', 'user file']);
test('env beats the user file', order, { user: { 'api-token': 'from-user' }, env: { DEVPIPE_SECRET_API_TOKEN: 'from-env' } }, ['from-env', 'environment (DEVPIPE_SECRET_*)']);
test('--secrets beats everything', order, { user: { 'api-token': 'u' }, env: { DEVPIPE_SECRET_API_TOKEN: 'e' }, flag: { 'api-token': 'from-flag' } }, ['from-flag', '--secrets']);

test('a declared secret with no value is missing; unknown names are reported', (t) => {
  const result = resolveSecrets(declared, [fakeLayer(declared, 'f'), { source: 'user file', values: { nope: 'x' } }]);
  t.deepEqual(result.missing.map((s) => s.name), ['db_password']);
  t.deepEqual(result.unknown, [{ name: 'nope', source: 'user file' }]);
  const error = missingSecretsError(result.missing, '~/.config/devpipe/secrets/p.yaml');
  t.is(error.exitCode, 2);
  t.is(error.message, 'secret "db_password" is declared but has no value');
  t.deepEqual(error.details, ['devpipe.yaml:12:3 secrets.db_password: no fake value, and none given from outside the repo (the db password)']);
  t.regex(error.hint ?? '', /DEVPIPE_SECRET_DB_PASSWORD=… in the environment, a line `db_password: value` in ~\/\.config\/devpipe\/secrets\/p\.yaml, or --secrets FILE/);
});

test('run.credentials of devpipe ci use the same ids', (t) => {
  const resolved = [{ name: 'api-token', value: 'v', source: 's' }];
  t.deepEqual(credentialsFor([{ id: 'api-token', name: 'TOKEN' }], resolved), { TOKEN: 'v' });
  const error = t.throws(() => credentialsFor([{ id: 'other', name: 'X' }], resolved), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 2);
  t.regex(error?.hint ?? '', /DEVPIPE_SECRET_OTHER/);
});

test('the redactor replaces every value (longest first), in text, values and errors', (t) => {
  const redactor = new Redactor([
    { name: 'a', value: 'hunter2hunter2' },
    { name: 'b', value: 'hunter2!' },
  ]);
  t.is(redactor.text('pw=hunter2hunter2 and hunter2!, xy'), 'pw=[secret:a] and [secret:b], xy');
  t.deepEqual(redactor.value({ list: ['hunter2!'], n: 1, nested: { s: 'a hunter2!' } }), { list: ['[secret:b]'], n: 1, nested: { s: 'a [secret:b]' } });
  const error = redactor.error(new DevpipeError('failure', 'bad hunter2!', { hint: 'h hunter2!', details: ['d hunter2!'] })) as DevpipeError;
  t.is(error.message, 'bad [secret:b]');
  t.is(error.hint, 'h [secret:b]');
  t.deepEqual(error.details, ['d [secret:b]']);
  t.is(error.exitCode, 1);
  t.deepEqual(Redactor.tooShort([{ name: 'short', value: 'xy' }]), ['short']);
});

test('the redacting bus forwards redacted events to the reporters', (t) => {
  const target = new EventBus();
  const seen: DevpipeEvent[] = [];
  target.subscribe((e) => seen.push(e));
  const bus = new RedactingBus(target, new Redactor([{ name: 'tok', value: 's3cr3t-value' }]));
  bus.emit('task:log', { id: 'e2e', line: 'token is s3cr3t-value' });
  bus.emit('message', { level: 'info', text: 'nothing here' });
  t.like(seen[0], { type: 'task:log', line: 'token is [secret:tok]' });
  t.like(seen[1], { type: 'message', text: 'nothing here' });
});
