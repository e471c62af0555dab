/**
 * What a local staging copy adds to devpipe.yaml (issue #18): generated files with secrets written
 * into them, listeners served by a sidecar in the service's network namespace, HTTP health from
 * the sidecar, pods for pinned services that need one; and the rules that guard them.
 */
import test from 'ava';
import { parse } from 'yaml';
import { composePaths, writeStackFiles } from '../../../../src/engine/stack/files.js';
import { renderCompose } from '../../../../src/engine/stack/compose-render.js';
import { serviceStates } from '../../../../src/engine/stack/health.js';
import { stackModel } from '../../../../src/engine/stack/model.js';
import { renderMountedFile } from '../../../../src/engine/stack/mounted-files.js';
import { sidecarScript } from '../../../../src/engine/stack/sidecar.js';
import { formatIssue } from '../../../../src/spec/issues.js';
import { loadStack } from '../../../../src/spec/stack/index.js';
import { MemoryFiles } from '../../../fakes/stack.js';

const text = `version: v1
services:
  web:
    build: production
    depends_on: [dep]
    healthcheck: {http: {port: 8080, path: /health}}
    files:
      - path: /etc/web/config.yaml
        content: {port: 8080, db: {user: web, password: placeholder}}
        secrets: {db.password: web_db_password}
      - path: /etc/web/motd.txt
        content: "hello $USER\\n"
    listeners:
      dep: {port: 6018, to: "dep:1969"}
      mw: {port: 6500, stub: MediaWiki is not reproduced}
  dep:
    image: dep:1
    healthcheck: {http: {port: 1969, path: /}}
secrets:
  web_db_password: {description: from outside the repo}
`;

function load(source: string) {
  const result = loadStack(source, 'devpipe.yaml', { directoryName: 'demo', builtins: [] });
  if (!result.ok) throw new Error(result.errors.map((e) => formatIssue(e)).join('\n'));
  return result.value;
}

type Compose = { services: Record<string, Record<string, unknown>> };

test('compose: pods for both (the pinned one too), sidecars in their namespace with the HTTP probe, files mounted read-only', (t) => {
  const model = stackModel(load(text), new Map([['.pipeline/blubber.yaml#production', 'demo:production-abc']]));
  const compose = renderCompose(model, composePaths('/p', model)) as unknown as Compose;
  t.deepEqual(Object.keys(compose.services), ['dep.pod', 'dep', 'dep.mesh', 'web.pod', 'web', 'web.mesh']);
  t.is(compose.services['web.mesh']?.network_mode, 'service:web.pod');
  t.is(compose.services['dep.mesh']?.network_mode, 'service:dep.pod');
  t.deepEqual((compose.services['web.mesh']?.healthcheck as { test: string[] }).test, ['CMD', '/bin/busybox', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/health']);
  t.is(compose.services.web?.healthcheck, undefined, 'the HTTP probe does not run inside the service');
  t.deepEqual(compose.services.web?.depends_on, { dep: { condition: 'service_started' }, 'dep.mesh': { condition: 'service_healthy' } });
  t.deepEqual(compose.services.web?.volumes, [
    { type: 'bind', source: '/p/.devpipe/secrets/files/web/0-config.yaml', target: '/etc/web/config.yaml', read_only: true },
    { type: 'bind', source: '/p/.devpipe/stack/files/web/1-motd.txt', target: '/etc/web/motd.txt', read_only: true },
  ]);
  const script = String((compose.services['web.mesh']?.entrypoint as string[])[2]);
  t.regex(script, /\/bin\/busybox nc -ll -p 6018 -e \/bin\/busybox nc dep 1969 &/);
  t.regex(script, /\/bin\/busybox httpd -f -p 6500 /);
});

test('files: the secret is written at its key path at deploy time, under the secrets directory; text files as is', async (t) => {
  const model = stackModel(load(text), new Map([['.pipeline/blubber.yaml#production', 'demo:production-abc']]));
  const files = new MemoryFiles('/p');
  await writeStackFiles(files, model, [{ name: 'web_db_password', value: 'fake-canary-0123456789abcdef', source: 'test' }]);
  const config = parse(files.files.get('.devpipe/secrets/files/web/0-config.yaml')?.content ?? '') as { db: { password: string } };
  t.is(config.db.password, 'fake-canary-0123456789abcdef');
  t.is(files.files.get('.devpipe/stack/files/web/1-motd.txt')?.content, 'hello $USER\n');
  t.false((files.files.get('.devpipe/stack/compose.yaml')?.content ?? '').includes('fake-canary'), 'the compose file never holds the value');
});

test('a secret cannot be written into a file that is not YAML', (t) => {
  t.throws(() => renderMountedFile('web', { path: '/x', content: 'not: [yaml', secrets: { a: 's' } }, new Map([['s', 'v']])), { message: /not a YAML mapping/ });
});

test('health: a service with an HTTP check is ready when its sidecar is healthy', (t) => {
  const model = stackModel(load(text), new Map([['.pipeline/blubber.yaml#production', 'demo:production-abc']]));
  const c = (service: string, status: string) => ({ id: service, name: service, image: '', state: 'running', status, labels: { 'devpipe.service': service } });
  const states = serviceStates(model, [c('dep', 'Up 2s'), c('dep.mesh', 'Up 2s (healthy)'), c('web', 'Up 2s'), c('web.mesh', 'Up 2s (health: starting)')]);
  t.deepEqual(states.map((s) => [s.service, s.ready]), [['dep', true], ['web', false]]);
});

test('the sidecar script quotes stub notes for sh', (t) => {
  const script = sidecarScript('web', [{ name: 'x', port: 1, route: { kind: 'stub', note: "it's $HOME" } }]);
  t.regex(script, /'devpipe stub for listener "x" of web \(localhost:1\): not reproduced locally\. it'\\''s \$HOME'/);
});

const bad: [string, string, RegExp][] = [
  ['an undeclared secret in a file', text.replace('secrets:\n  web_db_password: {description: from outside the repo}\n', ''), /devpipe.yaml:10:32 services\.web\.files\[0\]\.secrets\["db\.password"\]: secret "web_db_password" is written into \/etc\/web\/config\.yaml but not declared/],
  ['a listener to an unknown service', text.replace('to: "dep:1969"', 'to: "nope:1969"'), /listener "dep" forwards to "nope", which is not a service of this stack/],
  ['two listeners on one port', text.replace('port: 6500', 'port: 6018'), /listeners "dep" and "mw" of service "web" both use port 6018/],
  ['a healthcheck with both forms', text.replace('healthcheck: {http: {port: 1969, path: /}}', 'healthcheck: {http: {port: 1969}, command: ["true"]}'), /a healthcheck has either `command` or `http`/],
  ['a listener with neither route', text.replace('mw: {port: 6500, stub: MediaWiki is not reproduced}', 'mw: {port: 6500}'), /a listener has either `to` or `stub`/],
];
for (const [name, source, message] of bad) {
  test(`exit-2 rule: ${name}`, (t) => {
    const result = loadStack(source, 'devpipe.yaml', { directoryName: 'demo', builtins: [] });
    t.false(result.ok);
    if (!result.ok) t.regex(result.errors.map((e) => formatIssue(e)).join('\n'), message);
  });
}
