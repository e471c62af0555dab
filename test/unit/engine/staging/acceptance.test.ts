/**
 * The public acceptance cases of reference/staging.md (A01–A10), on test/fixtures/staging-charts
 * (a deployment-charts-shaped checkout written for these tests) and checkouts shaped like the
 * services' repositories. Facts are read from the generated devpipe.yaml and the import's model.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { parse } from 'yaml';
import { importStaging } from '../../../../src/engine/staging/import.js';
import { readCheckout } from '../../../../src/engine/staging/images.js';
import type { ImportOptions } from '../../../../src/engine/staging/model.js';
import { NodeTextTree } from '../../../../src/fs/text-tree.js';
import { loadStack } from '../../../../src/spec/stack/load.js';
import { formatIssue } from '../../../../src/spec/issues.js';
import { repoRoot } from '../../../helpers/cli.js';

const charts = new NodeTextTree(path.join(repoRoot, 'test/fixtures/staging-charts'));

async function checkout(name: string): Promise<ImportOptions['checkout']> {
  const pipeline = await readFile(path.join(repoRoot, 'test/fixtures/staging-checkouts', name, '.pipeline/config.yaml'), 'utf8');
  return readCheckout({ pipeline, directory: name });
}

type Service = { build?: string; image?: string; ports?: number[]; env?: Record<string, string>; secrets?: { name: string; env: string }[]; healthcheck?: { http?: { port: number; path: string } }; depends_on?: string[]; files?: { path: string; content: string; secrets?: Record<string, string> }[]; listeners?: Record<string, { port: number; to?: string; stub?: string }>; command?: string[]; args?: string[] };
type Stack = { services: Record<string, Service>; secrets?: Record<string, { fake?: string; description: string }> };

async function run(service: string, extra: Partial<ImportOptions> = {}) {
  const result = await importStaging(charts, service, {
    environment: 'staging',
    routes: 'offline',
    generalFile: '.fixtures/general-staging.yaml',
    externalCharts: ['mediawiki'],
    publish: true,
    chartsFromProject: '../deployment-charts',
    ...extra,
  });
  return { result, stack: parse(result.text) as Stack, notes: result.services.flatMap((s) => s.notes).join('\n') };
}

test('A01 citoid with its checkout: citoid built (variant production), zotero pinned, port/health/env, no secrets', async (t) => {
  const { stack } = await run('citoid', { checkout: await checkout('mediawiki-services-citoid') });
  t.deepEqual(Object.keys(stack.services), ['citoid', 'zotero']);
  const citoid = stack.services.citoid as Service;
  t.is(citoid.build, 'production');
  t.is(stack.services.zotero?.image, 'docker-registry.example.org/repos/mediawiki/services/zotero:2026-06-29-140330-production');
  t.deepEqual(citoid.ports, [1970]);
  t.deepEqual(citoid.healthcheck?.http, { port: 1970, path: '/_info' });
  t.deepEqual(citoid.env, { SERVICE_IDENTIFIER: 'citoid-staging' });
  t.is(citoid.secrets, undefined);
  t.is(stack.secrets, undefined);
  t.deepEqual(citoid.depends_on, ['zotero']);
});

test('A02 citoid without a checkout: both pinned, a warning, the internal registry nowhere', async (t) => {
  const { result, stack } = await run('citoid');
  t.is(stack.services.citoid?.image, 'docker-registry.example.org/wikimedia/mediawiki-services-citoid:2026-08-17-094555-production');
  t.truthy(stack.services.zotero?.image);
  t.true(result.warnings.some((w) => /nothing is built/.test(w)));
  t.false(result.text.includes('registry.internal.invalid'));
});

test('A03 layering report: files in order, private slot skipped, replicas from values-staging.yaml', async (t) => {
  const { result } = await run('citoid');
  t.deepEqual(
    result.layers.map((l) => [l.file, l.status]),
    [
      ['charts/citoid/values.yaml', 'read'],
      ['.fixtures/general-staging.yaml', 'read'],
      ['helmfile.d/services/citoid/values.yaml', 'read'],
      ['/etc/helmfile-defaults/private/main_services/citoid/staging.yaml', 'skipped'],
      ['helmfile.d/services/citoid/values-staging.yaml', 'read'],
      ['helmfile.d/services/citoid/values-staging.yaml', 'read'],
    ],
  );
  t.deepEqual(result.layers.slice(4).map((l) => l.role), ['environment values (staging)', 'release values (staging)']);
  const { layerValues, whereSet } = await import('../../../../src/engine/staging/layers.js');
  const merged = layerValues(result.layers);
  t.is((merged.values.resources as { replicas: number }).replicas, 1);
  t.regex(whereSet(merged.provenance, ['resources', 'replicas']) ?? '', /^helmfile\.d\/services\/citoid\/values-staging\.yaml:2$/);
});

test('A04 citoid listener routing: 6018 → zotero:1969, config keeps localhost:6018, proxies removed', async (t) => {
  const { stack, notes } = await run('citoid');
  const citoid = stack.services.citoid as Service;
  t.deepEqual(citoid.listeners, { zotero: { port: 6018, to: 'zotero:1969' } });
  const config = parse(citoid.files?.[0]?.content ?? '') as { services: { conf: Record<string, unknown> }[] };
  t.is(citoid.files?.[0]?.path, '/etc/citoid/config.yaml');
  t.like(config.services[0]?.conf, { zoteroInterface: 'localhost', zoteroPort: 6018, zotero: true });
  t.false('proxy' in (config.services[0]?.conf ?? {}));
  t.regex(notes, /main_app\.proxy .* removed/);
  const zotero = stack.services.zotero as Service;
  t.false('HTTP_PROXY' in (zotero.env ?? {}));
  t.false('HTTPS_PROXY' in (zotero.env ?? {}));
  t.is(zotero.env?.NO_PROXY, 'wikipedia.org,wikimedia.org');
});

test('A05 zotero alone: exact env (strings), health /?spec, nothing else', async (t) => {
  const { stack } = await run('zotero');
  t.deepEqual(Object.keys(stack.services), ['zotero']);
  const zotero = stack.services.zotero as Service;
  t.deepEqual(zotero.env, { SERVICE_IDENTIFIER: 'zotero-staging', DEBUG_LEVEL: '0', NODEJS_V8_HEAP_SIZE_IN_MB: '3584', NO_PROXY: 'wikipedia.org,wikimedia.org' });
  t.deepEqual(zotero.healthcheck?.http, { port: 1969, path: '/?spec' });
  t.is(zotero.files, undefined);
  t.is(zotero.listeners, undefined);
  t.is(stack.secrets, undefined);
});

test('A06 eventgate-main: release production, registry inside the image, template probe, kafka, TLS off', async (t) => {
  const { result, stack } = await run('eventgate-main');
  const eg = stack.services['eventgate-main'] as Service;
  t.is(result.services[0]?.release, 'production');
  t.deepEqual(eg.env, { SERVICE_IDENTIFIER: 'eventgate-main' });
  t.is(eg.image, 'docker-registry.example.org/repos/data-engineering/eventgate-wikimedia:v1.33.0');
  t.deepEqual(eg.ports, [8192]);
  t.deepEqual(eg.healthcheck?.http, { port: 8192, path: '/_info' });
  t.true('kafka' in stack.services);
  const config = parse(eg.files?.find((f) => f.path === '/etc/eventgate/config.yaml')?.content ?? '') as { services: { conf: { kafka: { conf: Record<string, string> }; topic_prefix: string } }[] };
  const conf = config.services[0]?.conf;
  t.is(conf?.kafka.conf['metadata.broker.list'], 'kafka:9092');
  t.is(conf?.kafka.conf['security.protocol'], 'plaintext');
  t.false('ssl.ca.location' in (conf?.kafka.conf ?? {}));
  t.is(conf?.topic_prefix, 'staging.');
  t.deepEqual(result.layers.find((l) => l.file.endsWith('values-production.yaml'))?.status, 'missing');
});

test('A07 eventgate-main offline: stubs, stream config in file mode; online: URI unchanged, external MediaWiki with its Host', async (t) => {
  const offline = await run('eventgate-main');
  const eg = offline.stack.services['eventgate-main'] as Service;
  t.truthy(eg.listeners?.['mw-api-int-async-ro']?.stub);
  t.is(eg.listeners?.['mw-api-int-async-ro']?.port, 6500);
  t.truthy(eg.listeners?.schema?.stub);
  t.is(eg.listeners?.schema?.port, 6023);
  const streams = eg.files?.find((f) => f.path === '/etc/eventgate/stream-config.yaml')?.content ?? '';
  t.regex(streams, /eventgate-main\.test\.event/);
  t.regex(streams, /eventgate-main\\\.error/);
  const online = await run('eventgate-main', { routes: 'online' });
  const eg2 = online.stack.services['eventgate-main'] as Service;
  const config = eg2.files?.find((f) => f.path === '/etc/eventgate/config.yaml')?.content ?? '';
  t.regex(config, /stream_config_uri: http:\/\/127\.0\.0\.1:6500\/w\/api\.php\?action=streamconfigs/);
  t.regex(config, /Host: meta\.wikimedia\.org/);
  t.regex(eg2.listeners?.['mw-api-int-async-ro']?.stub ?? '', /https:\/\/meta\.wikimedia\.org/);
  t.false(eg2.files?.some((f) => f.path.endsWith('stream-config.yaml')) ?? true);
});

test('A08 linkrecommendation with its checkout: built, mariadb, env secrets with fresh fakes, DB env, stub 6500, no job', async (t) => {
  const { stack, notes } = await run('linkrecommendation', { checkout: await checkout('research-mwaddlink') });
  const lr = stack.services.linkrecommendation as Service;
  t.is(lr.build, 'production');
  t.deepEqual(Object.keys(stack.services).sort(), ['linkrecommendation', 'mariadb']);
  t.deepEqual(lr.secrets?.map((s) => s.env).sort(), ['DB_ADMIN_PASSWORD', 'DB_PASSWORD']);
  for (const decl of Object.values(stack.secrets ?? {})) t.is(decl.fake, undefined, 'no value in the repository');
  t.like(lr.env, { DB_HOST: 'mariadb', DB_PORT: '3306', DB_DATABASE: 'mwaddlink', MEDIAWIKI_PROXY_API_URL: 'http://localhost:6500/w/rest.php', ANALYTICS_BASE_URL: 'https://analytics.wikimedia.org/published/models/' });
  t.truthy(lr.listeners?.['mw-api-int-async']?.stub);
  t.regex(notes, /CronJob disabled in staging .*one-shot job, run only on request/);
});

test('A09 sessionstore with the kask checkout: git tag → publish stage → production; command, port, identifier, cassandra, secret in the file', async (t) => {
  const { result, stack } = await run('sessionstore', { checkout: await checkout('mediawiki-services-kask') });
  const ss = stack.services.sessionstore as Service;
  t.is(result.services[0]?.chart, 'kask');
  t.is(ss.build, 'production');
  t.regex(result.text, /v1\.0\.19 is a git tag: stage "production" of pipeline "publish" publishes \$\{setup\.tag\}/);
  t.deepEqual([...(ss.command ?? []), ...(ss.args ?? [])], ['./kask', '--config', '/etc/kask/config.yaml']);
  t.deepEqual(ss.ports, [8080]);
  t.deepEqual(ss.healthcheck?.http, { port: 8080, path: '/healthz' }, 'the probe on the mesh port is rewritten to the app port over HTTP');
  t.deepEqual(ss.env, { SERVICE_IDENTIFIER: 'kask-staging' });
  t.deepEqual(Object.keys(stack.services).sort(), ['cassandra', 'sessionstore']);
  const file = ss.files?.[0];
  t.deepEqual(file?.secrets, { 'cassandra.authentication.password': 'sessionstore.main_app.cassandra.authentication.password' });
  const config = parse(file?.content ?? '') as { cassandra: Record<string, unknown> };
  t.deepEqual(config.cassandra.hosts, ['cassandra']);
  t.false('tls' in config.cassandra);
  t.deepEqual(Object.keys(stack.secrets ?? {}), ['sessionstore.main_app.cassandra.authentication.password'], 'certs set to ~ in staging are not secrets here');
});

test('A10 mobileapps listener table; with puppet listeners only, linked-artifacts is inferred with a warning', async (t) => {
  const { stack } = await run('mobileapps');
  const ma = stack.services.mobileapps as Service;
  t.deepEqual(Object.fromEntries(Object.entries(ma.listeners ?? {}).map(([k, v]) => [k, [v.port, v.to ?? 'stub']])), {
    'mw-api-int-async': [6500, 'stub'],
    'restbase-for-services': [6503, 'stub'],
    'eventgate-main': [6005, 'eventgate-main:8192'],
    'linked-artifacts': [6074, 'stub'],
  });
  const config = ma.files?.[0]?.content ?? '';
  t.regex(config, /uri: http:\/\/eventgate-main:8192\/v1\/events/);
  t.deepEqual(ma.files?.[0]?.secrets, { 'services.0.conf.cassandra.password': 'mobileapps.datastore.cassandra_client.authentication.password' });
  const text = await readFile(path.join(repoRoot, 'test/fixtures/staging-charts/_external/puppet/envoy.yaml'), 'utf8');
  const puppet = await run('mobileapps', { listeners: { file: '_external/puppet/envoy.yaml', text } });
  const ma2 = puppet.stack.services.mobileapps as Service;
  t.is(ma2.listeners?.['linked-artifacts']?.port, 6074);
  t.true(puppet.result.warnings.some((w) => /linked-artifacts.*inferred from main_app\.linked_artifacts_uri/.test(w)));
});

test('the generated file is a valid devpipe.yaml for every service of the fixture', async (t) => {
  for (const service of ['citoid', 'zotero', 'eventgate-main', 'mobileapps', 'linkrecommendation', 'sessionstore']) {
    const { result } = await run(service);
    const loaded = loadStack(result.text, '.pipeline/devpipe.yaml', { directoryName: 'demo', builtins: [] });
    t.true(loaded.ok, `${service}: ${loaded.ok ? '' : loaded.errors.map((e) => formatIssue(e)).join('\n')}`);
  }
});
