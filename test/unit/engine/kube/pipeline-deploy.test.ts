import test from 'ava';
import { parse } from 'yaml';
import { deepMerge, deployRelease, deployRequestOf, pipelineDeployValues, randomRelease } from '../../../../src/engine/kube/pipeline-deploy.js';
import { EventBus } from '../../../../src/engine/events.js';
import { DevpipeError } from '../../../../src/errors.js';
import { HelmCli } from '../../../../src/kube/helm.js';
import { FakeCluster } from '../../../fakes/kube/cluster.js';

const target = { context: 'minikube', namespace: 'devpipe-citoid' };

test('generated values as PipelineLib writes them, overrides deep-merged over them', (t) => {
  t.deepEqual(pipelineDeployValues({ chart: {}, image: 'citoid', tag: '2026-11-22-030000-candidate', overrides: { main_app: { zotero: null }, resources: { replicas: 1 } } }), {
    docker: { registry: 'docker-registry.wikimedia.org', pull_policy: 'IfNotPresent' },
    main_app: { image: 'wikimedia/citoid', version: '2026-11-22-030000-candidate', zotero: null },
    resources: { replicas: 1 },
  });
  t.deepEqual(pipelineDeployValues({ chart: {}, image: 'citoid', tag: 'x', localImage: 'citoid:production-0123456789ab' }).main_app, { image: 'library/citoid', version: 'production-0123456789ab' });
  t.deepEqual(deepMerge({ a: { b: 1, c: [1] } }, { a: { c: [2] } }), { a: { b: 1, c: [2] } });
  t.regex(randomRelease(), /^[a-z0-9]{8}$/);
});

test('deploy: helm install <release> <chart> --values - --repo … --version …, then helm test; exports releaseName', async (t) => {
  const cluster = new FakeCluster();
  const result = await deployRelease(new HelmCli(cluster, target), new EventBus(), { chart: { name: 'citoid', version: '0.3.20' }, image: 'citoid', tag: 'v1', release: 'ab12cd34', timeout: 300 });
  t.is(result.releaseName, 'ab12cd34');
  const install = cluster.calls[0]!;
  t.deepEqual(install.args, ['install', 'ab12cd34', 'citoid', '--values', '-', '--repo', 'https://helm-charts.wikimedia.org/stable/', '--version', '0.3.20', '--wait', '--timeout', '300s', '--kube-context', 'minikube', '--namespace', 'devpipe-citoid']);
  t.deepEqual(parse(install.input ?? ''), result.values);
  t.deepEqual(cluster.calls[1]?.args.slice(0, 2), ['test', 'ab12cd34']);
});

test('deploy from a local chart directory, test: false', async (t) => {
  const cluster = new FakeCluster();
  await deployRelease(new HelmCli(cluster, target), new EventBus(), { chart: { path: '/charts/citoid' }, image: 'citoid', tag: 'v1', release: 'r', test: false });
  t.deepEqual(cluster.calls.map((c) => c.args.slice(0, 3)), [['install', 'r', '/charts/citoid']]);
  t.false(cluster.calls[0]!.args.includes('--repo'));
});

test('a failed install is uninstalled at once and the error rethrown (exit 1)', async (t) => {
  const cluster = new FakeCluster({ helmTimesOut: true });
  const error = await t.throwsAsync(deployRelease(new HelmCli(cluster, target), new EventBus(), { chart: { name: 'citoid' }, image: 'citoid', tag: 'v1', release: 'r' }), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 1);
  t.regex(error?.message ?? '', /did not become ready within 120s/);
  t.deepEqual(cluster.calls.map((c) => c.args[0]), ['install', 'uninstall']);
});

test('deployRequestOf: a resolved PipelineLib deploy step, with the local image and chart', (t) => {
  const request = deployRequestOf(
    { chart: { name: 'citoid', version: '' }, image: 'citoid', tag: '2026-11-22-030000-candidate', cluster: 'ci', test: true, timeout: null, overrides: { main_app: { zotero: null } } },
    { localImage: 'citoid:candidate-0123456789ab', chartPath: '/dc/charts/citoid' },
  );
  t.deepEqual(request, {
    chart: { name: 'citoid', version: undefined, path: '/dc/charts/citoid' },
    image: 'citoid',
    tag: '2026-11-22-030000-candidate',
    localImage: 'citoid:candidate-0123456789ab',
    overrides: { main_app: { zotero: null } },
    test: true,
    timeout: undefined,
    signal: undefined,
  });
});
