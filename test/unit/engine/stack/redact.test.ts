import test from 'ava';
import { EventBus, type DevpipeEvent } from '../../../../src/engine/events.js';
import { MIN_SECRET_LENGTH, Redactor } from '../../../../src/engine/stack/redact.js';
import { checkSecretValues } from '../../../../src/engine/stack/secrets.js';
import { DevpipeError } from '../../../../src/errors.js';

const key = '-----BEGIN KEY-----\nAAAABBBBCCCCDDDD\nEEEEFFFFGGGGHHHH\n-----END KEY-----\n';

const cases: { title: string; secrets: { name: string; value: string }[]; input: string; own?: boolean; expected: string }[] = [
  { title: 'a multi-line value as a whole', secrets: [{ name: 'key', value: key }], input: `got ${key}end`, expected: 'got [secret:key]end' },
  { title: 'a multi-line value line by line', secrets: [{ name: 'key', value: key }], input: 'line: EEEEFFFFGGGGHHHH', expected: 'line: [secret:key]' },
  { title: 'a CRLF multi-line value line by line', secrets: [{ name: 'key', value: 'first-line-1\r\nsecond-line-2' }], input: 'x second-line-2 y', expected: 'x [secret:key] y' },
  { title: 'the JSON-escaped form of a value', secrets: [{ name: 'q', value: 'a"b\\c$HOME' }], input: '{"v":"a\\"b\\\\c$HOME"}', expected: '{"v":"[secret:q]"}' },
  { title: 'a value with $ and quotes, verbatim', secrets: [{ name: 'q', value: `it's "a$HOME"` }], input: `env: it's "a$HOME"`, expected: 'env: [secret:q]' },
  { title: "own text: a plain-word value standing as a word is devpipe's word", secrets: [{ name: 'pw', value: 'password' }], own: true, input: 'give a password in the file', expected: 'give a password in the file' },
  { title: 'own text: the same value inside a longer token is redacted', secrets: [{ name: 'pw', value: 'password' }], own: true, input: 'token=xpassword1', expected: 'token=x[secret:pw]1' },
  { title: 'own text: a value that is not a plain word is always redacted', secrets: [{ name: 'pw', value: 'pass word!' }], own: true, input: 'got pass word! here', expected: 'got [secret:pw] here' },
  { title: 'foreign text: a plain-word value is redacted even as a word', secrets: [{ name: 'pw', value: 'password' }], input: 'log: password', expected: 'log: [secret:pw]' },
  { title: 'own text: a hyphenated value is not a word of devpipe (always redacted)', secrets: [{ name: 'tok', value: 'fake-token-for-staging' }], own: true, input: 'fake: fake-token-for-staging', expected: 'fake: [secret:tok]' },
];

for (const c of cases) {
  test(`redactor: ${c.title}`, (t) => {
    const redactor = new Redactor(c.secrets);
    t.is(c.own ? redactor.ownText(c.input) : redactor.text(c.input), c.expected);
  });
}

test('redactor: values registered later are redacted from then on (ci credentials)', (t) => {
  const redactor = new Redactor();
  t.true(redactor.empty);
  t.is(redactor.text('tok-12345678'), 'tok-12345678');
  redactor.add([{ name: 'tok', value: 'tok-12345678' }]);
  t.is(redactor.text('x tok-12345678'), 'x [secret:tok]');
});

test("bus filter: message text and titles are devpipe's own, log lines and details are foreign", (t) => {
  const redactor = new Redactor([{ name: 'word', value: 'container' }]);
  const bus = new EventBus((type, payload) => redactor.event(type, payload));
  const seen: DevpipeEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  bus.emit('message', { level: 'warn', text: 'the container exited' });
  bus.emit('dev:log', { service: 'web', line: 'container' });
  bus.emit('task:end', { id: 'x', status: 'failed', durationMs: 1, detail: 'container' });
  bus.emit('result', { command: 'ci', data: { stages: [{ exports: { a: 'container' } }] } });
  t.like(seen[0], { text: 'the container exited' });
  t.like(seen[1], { line: '[secret:word]' });
  t.like(seen[2], { detail: '[secret:word]' });
  t.deepEqual((seen[3] as { data: unknown }).data, { stages: [{ exports: { a: '[secret:word]' } }] });
});

test("error: devpipe's own message keeps its words; details are redacted", (t) => {
  const redactor = new Redactor([{ name: 'contains', value: 'contains' }]);
  const error = redactor.error(new DevpipeError('failure', 'image x contains the value of secret "contains"', { details: ['file says: contains'] })) as DevpipeError;
  t.is(error.message, 'image x contains the value of secret "contains"');
  t.deepEqual(error.details, ['file says: [secret:contains]']);
});

const config = (secrets: { name: string; env?: string }[]) => ({
  secrets: [{ name: 'tok', declaredAt: '.pipeline/devpipe.yaml:7:3' }],
  services: [{ name: 'web', secrets }],
});

test(`values shorter than ${MIN_SECRET_LENGTH} characters are refused at their declaration (exit 2, with the minimum)`, (t) => {
  const error = t.throws(() => checkSecretValues(config([]), [{ name: 'tok', value: 'abc', source: 'devpipe.yaml (fake value)' }]), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 2);
  t.regex(error?.message ?? '', new RegExp(`at least ${MIN_SECRET_LENGTH} characters`));
  t.regex(error?.details[0] ?? '', /^\.pipeline\/devpipe\.yaml:7:3 secrets\.tok: the value from devpipe\.yaml \(fake value\) has 3 character/);
  t.false((error?.details.join('\n') ?? '').includes('abc'));
});

test('a multi-line value used as an env var is refused at its declaration (exit 2)', (t) => {
  const error = t.throws(() => checkSecretValues(config([{ name: 'tok', env: 'TOK' }]), [{ name: 'tok', value: key, source: 'env' }]), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 2);
  t.regex(error?.details[0] ?? '', /devpipe\.yaml:7:3 secrets\.tok: its value has 5 lines, and services\.web\.secrets asks for it as the env var TOK/);
  t.notThrows(() => checkSecretValues(config([{ name: 'tok' }]), [{ name: 'tok', value: key, source: 'env' }]));
});
