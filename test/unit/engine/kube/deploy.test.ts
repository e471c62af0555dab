import test from 'ava';
import { deployStack } from '../../../../src/engine/kube/deploy.js';
import { renderStack } from '../../../../src/engine/kube/manifests.js';
import { chartPlan } from '../../../../src/engine/kube/chart.js';
import { EventBus, type DevpipeEvent } from '../../../../src/engine/events.js';
import { stackModel } from '../../../../src/engine/stack/model.js';
import { DevpipeError } from '../../../../src/errors.js';
import { HelmCli } from '../../../../src/kube/helm.js';
import { KubectlClient } from '../../../../src/kube/kubectl.js';
import { FakeCluster, type FakeClusterOptions } from '../../../fakes/kube/cluster.js';
import { builtRefs, fixtureConfig } from './helpers.js';

const target = { context: 'minikube', namespace: 'devpipe-staging-copy' };
const secretValues = new Map([['api_token', 'fake-token-for-local-staging']]);

async function setup(options: FakeClusterOptions = {}) {
  const cluster = new FakeCluster(options);
  const model = stackModel(await fixtureConfig(), builtRefs);
  const { objects } = renderStack(model, { namespace: target.namespace, secretValues, boundFiles: new Map() });
  const events: DevpipeEvent[] = [];
  const bus = new EventBus();
  bus.subscribe((e) => events.push(e));
  return { cluster, model, objects, bus, events, ports: { kubectl: new KubectlClient(cluster, target), helm: new HelmCli(cluster, target) } };
}

test('apply once, then wait for every rollout; every call pinned', async (t) => {
  const { cluster, objects, bus, ports, events } = await setup();
  const result = await deployStack(ports, bus, { project: 'staging-copy', objects, charts: [], timeoutMs: 300_000 });
  t.deepEqual(result.deployments, ['api', 'gateway']);
  t.true(result.applied.includes('deployment.apps/api created'));
  t.deepEqual(cluster.unpinned(), []);
  t.deepEqual(cluster.calls.map((c) => c.args.slice(4, 7).join(' ')), ['apply -f -', 'rollout status deployment/api', 'rollout status deployment/gateway']);
  t.is(cluster.calls[1]?.args.at(-1), '--timeout=300s');
  t.deepEqual(events.filter((e) => e.type === 'task:end').map((e) => (e as { id: string }).id), ['apply', 'rollout:api', 'rollout:gateway']);
  t.false(JSON.stringify(events).includes('fake-token-for-local-staging'));
});

const failures: [string, FakeClusterOptions['pods'], RegExp, RegExp, RegExp][] = [
  ['image cannot be pulled', { api: { state: 'ImagePullBackOff' } }, /^api did not become ready within 300s: pod api-7d9f8b6c5d-x2k4q is ImagePullBackOff$/, /Warning Failed: Failed to pull image/, /cannot pull staging-copy:production-0123456789ab/],
  ['never ready (healthcheck failing)', { api: { state: 'not-ready', logs: ['httpd started', 'GET /cgi-bin/health 503'] } }, /pod api-7d9f8b6c5d-x2k4q is NotReady/, /Readiness probe failed.*\(x12\)[\s\S]*GET \/cgi-bin\/health 503/, /services\.api\.healthcheck keeps failing/],
  ['crash loop', { gateway: { state: 'CrashLoopBackOff', exitCode: 2, logs: ['httpd: bind: Address in use'] } }, /^gateway did not become ready .*CrashLoopBackOff$/, /4 restart\(s\)[\s\S]*Back-off restarting[\s\S]*Address in use/, /keeps exiting \(last exit code 2\)/],
  ['image never pulled (delivery missed)', { api: { state: 'ErrImageNeverPull' } }, /is ErrImageNeverPull/, /pod api-/, /minikube image ls/],
];
for (const [name, pods, message, details, hint] of failures) {
  test(`rollout timeout names the pod, its events and last logs: ${name} (exit 1)`, async (t) => {
    const { ports, bus, objects } = await setup({ pods });
    const error = await t.throwsAsync(deployStack(ports, bus, { project: 'staging-copy', objects, charts: [], timeoutMs: 300_000 }), { instanceOf: DevpipeError });
    t.is(error?.exitCode, 1);
    t.regex(error?.message ?? '', message);
    t.regex(error?.details.join('\n') ?? '', details);
    t.regex(error?.hint ?? '', hint);
  });
}

test('a chart service: helm upgrade --install with layered values and the private slot on stdin, then helm test', async (t) => {
  const { cluster, model, bus, ports } = await setup();
  const api = model.services.find((s) => s.name === 'api')!;
  const plan = chartPlan(api, { path: 'charts/api', values: ['d/values.yaml', 'd/values-staging.yaml'] }, { chartValues: { main_app: { image: 'x' } }, secretValues, resolve: (p) => `/p/${p}` });
  const { objects } = renderStack(model, { namespace: target.namespace, secretValues, boundFiles: new Map(), chartServices: new Set(['api']) });
  await deployStack(ports, bus, { project: 'staging-copy', objects, charts: [plan], timeoutMs: 120_000 });
  const install = cluster.calls.find((c) => c.command === 'helm' && c.args[0] === 'upgrade')!;
  t.deepEqual(install.args.slice(0, 10), ['upgrade', '--install', 'api', '/p/charts/api', '--values', '/p/d/values.yaml', '--values', '-', '--values', '/p/d/values-staging.yaml']);
  t.true(install.args.includes('main_app.version=production-0123456789ab'));
  t.regex(install.input ?? '', /API_TOKEN: fake-token-for-local-staging/);
  t.true(cluster.calls.some((c) => c.command === 'helm' && c.args[0] === 'test' && c.args[1] === 'api'));
  t.false(objects.some((o) => o.kind === 'Deployment' && o.metadata.name === 'api'), 'the chart deploys api, not devpipe manifests');
  t.deepEqual(cluster.unpinned(), []);
});

test('helm test failure fails the deploy (exit 1), naming the test pod', async (t) => {
  const { model, bus, ports } = await setup({ helmTestFails: true });
  const api = model.services.find((s) => s.name === 'api')!;
  const plan = chartPlan(api, { path: 'c', values: [] }, { chartValues: {}, secretValues, resolve: (p) => p });
  const error = await t.throwsAsync(deployStack(ports, bus, { project: 'staging-copy', objects: [], charts: [plan], timeoutMs: 1000 }), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 1);
  t.is(error?.message, 'helm test of api failed: test pod api-service-checker');
});
