import test from 'ava';
import { chartOf, chartPlan, imageKeysOf, layerValues, splitImage } from '../../../../src/engine/kube/chart.js';
import { stackModel } from '../../../../src/engine/stack/model.js';
import { builtRefs, fixtureConfig } from './helpers.js';

test('values layering: chart → values.yaml → private slot → values-staging.yaml (deployment-charts order)', (t) => {
  t.deepEqual(layerValues(['svc/values.yaml', 'svc/values-staging.yaml']), ['svc/values.yaml', '-', 'svc/values-staging.yaml']);
  t.deepEqual(layerValues(['svc/values.yaml', 'svc/values-staging.yaml', 'svc/values-main.yaml']), ['svc/values.yaml', '-', 'svc/values-staging.yaml', 'svc/values-main.yaml']);
  t.deepEqual(layerValues(['svc/values.yaml']), ['svc/values.yaml', '-'], 'no environment file: the slot goes last');
  t.deepEqual(layerValues([]), ['-']);
});

const imageKeyCases: [string, unknown, 'main_app' | 'app'][] = [
  ['scaffold 0.2 (mathoid, citoid): main_app.image', { main_app: { image: 'repos/mediawiki/services/mathoid', version: 'latest' }, app: { port: 10044 } }, 'main_app'],
  ['newer scaffold (app.generic): app.image', { app: { image: 'wikimedia/x', version: 'latest', port: 8080 } }, 'app'],
  ['neither: PipelineLib writes main_app', { docker: { registry: 'x' } }, 'main_app'],
  ['empty values.yaml', null, 'main_app'],
];
for (const [name, values, keys] of imageKeyCases) test(`image keys: ${name}`, (t) => t.is(imageKeysOf(values), keys));

const splitCases: [string, { registry: string; image: string; version: string }][] = [
  ['staging-copy:production-0123456789ab', { registry: 'docker.io', image: 'library/staging-copy', version: 'production-0123456789ab' }],
  ['busybox', { registry: 'docker.io', image: 'library/busybox', version: 'latest' }],
  ['docker-registry.wikimedia.org/wikimedia/mediawiki-services-citoid:2026-08-17-094555-production', { registry: 'docker-registry.wikimedia.org', image: 'wikimedia/mediawiki-services-citoid', version: '2026-08-17-094555-production' }],
  ['localhost:5000/a/b:1', { registry: 'localhost:5000', image: 'a/b', version: '1' }],
  ['org/app:2', { registry: 'docker.io', image: 'org/app', version: '2' }],
];
for (const [ref, expected] of splitCases) test(`splitImage ${ref}`, (t) => t.deepEqual(splitImage(ref), expected));

test('chartOf: undefined until a service names a chart', async (t) => {
  const config = await fixtureConfig();
  t.is(chartOf(config.services[0]!), undefined);
  t.deepEqual(chartOf({ chart: { path: '../charts/api' } }), { path: '../charts/api', values: [], release: undefined, test: undefined });
});

test('chart plan: layered files, private slot with fake secrets and env, image override on the detected keys', async (t) => {
  const model = stackModel(await fixtureConfig(), builtRefs);
  const api = model.services.find((s) => s.name === 'api')!;
  const plan = chartPlan(api, { path: 'charts/api', values: ['deploy/values.yaml', 'deploy/values-staging.yaml'] }, {
    chartValues: { app: { image: 'x', version: 'latest' } },
    secretValues: new Map([['api_token', 'fake-token-for-local-staging']]),
    resolve: (p) => `/p/${p}`,
  });
  t.like(plan, { service: 'api', release: 'api', chart: '/p/charts/api', imageKeys: 'app', test: true });
  t.deepEqual(plan.valuesFiles, ['/p/deploy/values.yaml', '-', '/p/deploy/values-staging.yaml']);
  t.deepEqual(plan.privateValues, { config: { private: { API_TOKEN: 'fake-token-for-local-staging' }, public: { GREETING: 'hello from staging-copy' } } });
  t.deepEqual(plan.setString, { 'docker.registry': 'docker.io', 'docker.pull_policy': 'IfNotPresent', 'app.image': 'library/staging-copy', 'app.version': 'production-0123456789ab' });
  const named = chartPlan(api, { path: 'c', values: [], release: 'staging', test: false }, { chartValues: {}, secretValues: new Map(), resolve: (p) => p });
  t.like(named, { release: 'staging', imageKeys: 'main_app', test: false });
  t.is(named.setString['main_app.version'], 'production-0123456789ab');
});

test('chart plan from a staging import: the staging-defaults layer first, secrets at their values paths, typed --set last', async (t) => {
  const model = stackModel(await fixtureConfig(), builtRefs);
  const api = model.services.find((s) => s.name === 'api')!;
  const plan = chartPlan(
    api,
    { path: 'charts/kask', defaults: 'dc/.fixtures/general-staging.yaml', values: ['dc/values.yaml', 'dc/values-staging.yaml'], secrets: { 'main_app.cassandra.authentication.password': 'api_token' }, set: { 'mesh.enabled': false, 'service.port': null } },
    { chartValues: {}, secretValues: new Map([['api_token', 'fake-canary']]), resolve: (p) => `/p/${p}` },
  );
  t.deepEqual(plan.valuesFiles, ['/p/dc/.fixtures/general-staging.yaml', '/p/dc/values.yaml', '-', '/p/dc/values-staging.yaml']);
  t.like(plan.privateValues, { main_app: { cassandra: { authentication: { password: 'fake-canary' } } } });
  t.deepEqual(plan.set, { 'mesh.enabled': 'false', 'service.port': 'null' });
});
