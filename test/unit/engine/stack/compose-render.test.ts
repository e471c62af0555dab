import test from 'ava';
import { parse } from 'yaml';
import { composeText, composePaths, writeStackFiles } from '../../../../src/engine/stack/files.js';
import { escapeDollars, renderCompose } from '../../../../src/engine/stack/compose-render.js';
import { buildsOf, stackModel } from '../../../../src/engine/stack/model.js';
import { MemoryFiles, stackConfig } from '../../../fakes/stack.js';

const config = stackConfig;

const text = `version: v1
services:
  api:
    build: production
    command: [/bin/server]
    args: [--port, "8080"]
    env: { PRICE: "$5" }
    secrets: [token, { name: db_password, env: DB_PASSWORD, file: false }]
    healthcheck: { command: [wget, -q, http://127.0.0.1:8080/], interval: 500ms, retries: 5 }
    depends_on: [db, cache]
    volumes: [{ host: ./config, path: /etc/api, read_only: true }]
  db:
    image: postgres:16
    ports: ["15432:5432"]
    healthcheck: { command: pg_isready }
    volumes: [{ name: data, path: /var/lib/postgresql/data }]
  cache:
    image: redis:7
e2e:
  build: e2e
  env: { API: http://api:8080 }
  secrets: [token]
secrets:
  token: fake-token
  db_password: { fake: fake-pw }
`;

interface Svc extends Record<string, unknown> {
  labels: Record<string, string>;
  healthcheck: { test: unknown };
  environment: Record<string, string>;
}
interface File {
  services: Record<string, Svc>;
  networks: unknown;
  volumes: unknown;
  secrets: unknown;
}

const compose = () => {
  const c = config(text);
  const model = stackModel(c, new Map([['.pipeline/blubber.yaml#production', 'demo:production-abc']]));
  const rendered = renderCompose(model, composePaths('/p')) as unknown as File;
  const svc = (name: string): Svc => rendered.services[name] as Svc;
  return { model, file: { ...rendered, services: { api: svc('api'), db: svc('db'), cache: svc('cache') } }, raw: rendered };
};

test('every service: image, entrypoint/command, labels, network, init; dependencies first', (t) => {
  const { file, raw } = compose();
  t.deepEqual(Object.keys(raw.services), ['db', 'cache', 'api.pod', 'api']);
  t.like(file.services.api, { image: 'demo:production-abc', entrypoint: ['/bin/server'], command: ['--port', '8080'], init: true, network_mode: 'service:api.pod' });
  t.is(file.services.api.networks, undefined, 'the built service is on its pod\'s network');
  t.like(file.services.db, { networks: ['default'] });
  for (const [name, svc] of Object.entries(file.services)) {
    t.like(svc.labels, { 'devpipe.project': 'demo', 'devpipe.service': name, 'devpipe.role': 'stack' });
  }
  t.deepEqual(file.networks, { default: { name: 'devpipe-demo', labels: { 'devpipe.project': 'demo', 'devpipe.service': '*' } } });
  t.deepEqual(file.volumes, { data: { labels: { 'devpipe.project': 'demo', 'devpipe.service': 'db' } } });
});

test('pods: a built service runs in a pod that holds its ports and its name on the network; pinned services and pods: false have none', (t) => {
  const withPorts = text.replace('    build: production\n', '    build: production\n    ports: ["18080:8080"]\n');
  const model = stackModel(config(withPorts), new Map([['.pipeline/blubber.yaml#production', 'demo:production-abc']]));
  const services = (renderCompose(model, composePaths('/p')) as unknown as File).services;
  t.deepEqual(services['api.pod'], {
    image: 'devpipe-anchor:1',
    entrypoint: ['/devpipe-idle'],
    ports: ['18080:8080'],
    labels: { 'devpipe.project': 'demo', 'devpipe.role': 'pod', 'devpipe.pod-of': 'api', 'devpipe.managed-by': 'devpipe' },
    networks: { default: { aliases: ['api'] } },
    stop_grace_period: '0s',
  });
  t.is(services.api?.ports, undefined, 'published by the pod');
  t.is(services.api?.network_mode, 'service:api.pod');
  t.is(model.services.find((s) => s.name === 'db')?.pod, undefined);

  const off = stackModel(config(`${withPorts}settings: { pods: false }\n`), new Map([['.pipeline/blubber.yaml#production', 'demo:production-abc']]));
  const plain = (renderCompose(off, composePaths('/p')) as unknown as File).services;
  t.deepEqual(Object.keys(plain), ['db', 'cache', 'api']);
  t.like(plain.api, { ports: ['18080:8080'], networks: ['default'] });
  t.is(plain.api?.network_mode, undefined);
});

test('secrets: files under .devpipe/secrets mounted at /run/secrets, env secrets through the compose process env, never a value in the file', (t) => {
  const { file } = compose();
  t.deepEqual(file.services.api.secrets, ['token']);
  t.deepEqual(file.secrets, { token: { file: '/p/.devpipe/secrets/token' } });
  t.is(file.services.api.env_file, undefined);
  t.regex(JSON.stringify(file.services.api.environment), /"\$\{DEVPIPE_INJECT_[A-Z_]+-\}"/);
  const rendered = JSON.stringify(file);
  t.false(rendered.includes('fake-token'));
  t.false(rendered.includes('fake-pw'));
});

test('healthchecks, depends_on conditions, ports, volumes, and $ escaped', (t) => {
  const { file } = compose();
  t.deepEqual(file.services.api.healthcheck, { test: ['CMD', 'wget', '-q', 'http://127.0.0.1:8080/'], interval: '500ms', timeout: '3s', retries: 5, start_period: '0s' });
  t.deepEqual(file.services.db.healthcheck.test, ['CMD', 'sh', '-c', 'pg_isready']);
  t.deepEqual(file.services.api.depends_on, { db: { condition: 'service_healthy' }, cache: { condition: 'service_started' } });
  t.deepEqual(file.services.db.ports, ['15432:5432']);
  t.deepEqual(file.services.api.volumes, [{ type: 'bind', source: '/p/config', target: '/etc/api', read_only: true }]);
  t.deepEqual(file.services.db.volumes, [{ type: 'volume', source: 'data', target: '/var/lib/postgresql/data', read_only: false }]);
  t.is(file.services.api.environment.PRICE, '$$5');
  t.is(escapeDollars('a$b$$'), 'a$$b$$$$');
});

test('builds of the stack: one per distinct variant, the suite only when asked', (t) => {
  const c = config(text);
  t.deepEqual(buildsOf(c, false).map((b) => b.variant), ['production']);
  t.deepEqual(buildsOf(c, true).map((b) => b.variant), ['production', 'e2e']);
});

test('writing the stack: compose file, secret files, env secrets only in the target env (no env file), .gitignore; YAML round-trips', async (t) => {
  const { model } = compose();
  const files = new MemoryFiles('/p');
  const target = await writeStackFiles(files, model, [
    { name: 'token', value: 'fake-token', source: 'x' },
    { name: 'db_password', value: 'fake-pw', source: 'x' },
  ]);
  t.deepEqual(target, { project: 'demo', file: '/p/.devpipe/stack/compose.yaml', cwd: '/p', env: { DEVPIPE_INJECT_DB_PASSWORD: 'fake-pw' } });
  t.is(files.files.get('.devpipe/secrets/token')?.content, 'fake-token');
  t.is(files.files.get('.devpipe/secrets/env/api.env'), undefined);
  t.false([...files.files.entries()].some(([name, f]) => name !== '.devpipe/secrets/db_password' && f.content.includes('fake-pw')));
  t.is(files.files.get('.devpipe/.gitignore')?.content.trim().split('\n').pop(), '*');
  const yaml = files.files.get('.devpipe/stack/compose.yaml')?.content ?? '';
  t.deepEqual(parse(yaml), renderCompose(model, composePaths('/p')));
  t.is(yaml, composeText(model, '/p'));
});
