/* eslint-disable @typescript-eslint/no-explicit-any -- manifests and kubectl JSON are plain trees read by deep path here */
import test from 'ava';
import { manifestsYaml } from '../../../../src/engine/kube/deploy.js';
import { renderStack } from '../../../../src/engine/kube/manifests.js';
import { requireKubeStackUp, runKubeSuite } from '../../../../src/engine/kube/suite.js';
import { downKubeStack, kubeStatusRows, nodePortUrls } from '../../../../src/engine/kube/manage.js';
import { EventBus } from '../../../../src/engine/events.js';
import { stackModel } from '../../../../src/engine/stack/model.js';
import { DevpipeError } from '../../../../src/errors.js';
import { HelmCli } from '../../../../src/kube/helm.js';
import { KubectlClient } from '../../../../src/kube/kubectl.js';
import { FakeCluster, type FakeClusterOptions } from '../../../fakes/kube/cluster.js';
import { MemoryFiles } from '../../../fakes/stack.js';
import { builtRefs, fixtureConfig } from './helpers.js';

const target = { context: 'minikube', namespace: 'devpipe-staging-copy' };

async function upCluster(options: FakeClusterOptions = {}) {
  const cluster = new FakeCluster(options);
  const model = stackModel(await fixtureConfig(), builtRefs);
  const kubectl = new KubectlClient(cluster, target);
  await kubectl.apply(manifestsYaml(renderStack(model, { namespace: target.namespace, secretValues: new Map([['api_token', 'fake-token-for-local-staging']]), boundFiles: new Map() }).objects));
  const lines: string[] = [];
  const bus = new EventBus();
  bus.subscribe((e) => e.type === 'task:log' && lines.push(e.line));
  return { cluster, model, kubectl, bus, lines };
}

test('e2e as a Job: output streamed, exit code 0', async (t) => {
  const { cluster, model, kubectl, bus, lines } = await upCluster({ pods: { 'e2e-r1': { state: 'ready', exitCode: 0, logs: ['ok   - gateway serves its page', 'e2e: all checks passed'] } } });
  await requireKubeStackUp(kubectl, model);
  const result = await runKubeSuite({ kubectl, files: new MemoryFiles() }, bus, model, { run: 'r1', redact: (x) => x, sleep: async () => undefined });
  t.is(result.exitCode, 0);
  t.deepEqual(lines, ['ok   - gateway serves its page', 'e2e: all checks passed']);
  const job = cluster.objects.get('Job/devpipe-staging-copy/e2e-r1') as any;
  t.is(job.spec.template.spec.containers[0].image, 'staging-copy:e2e-ba9876543210');
  t.deepEqual(cluster.unpinned(), []);
});

test('e2e failure: its exit code, and every service\'s logs saved (redacted) under .devpipe/reports/<run>/', async (t) => {
  const { model, kubectl, bus } = await upCluster({ pods: { 'e2e-r2': { state: 'ready', exitCode: 3 }, api: { state: 'ready', logs: ['token fake-token-for-local-staging refused'] } } });
  const files = new MemoryFiles();
  const result = await runKubeSuite({ kubectl, files }, bus, model, { run: 'r2', redact: (x) => x.replaceAll('fake-token-for-local-staging', '[secret:api_token]'), sleep: async () => undefined });
  t.is(result.exitCode, 3);
  t.is(result.reportDir, '.devpipe/reports/r2');
  t.regex(files.files.get('.devpipe/reports/r2/api.log')?.content ?? '', /token \[secret:api_token\] refused/);
  t.truthy(files.files.get('.devpipe/reports/r2/gateway.log'));
});

test('e2e image that cannot be pulled: exit 1 naming the pod and why', async (t) => {
  const { model, kubectl, bus } = await upCluster({ pods: { 'e2e-r3': { state: 'ImagePullBackOff' } } });
  const error = await t.throwsAsync(runKubeSuite({ kubectl, files: new MemoryFiles() }, bus, model, { run: 'r3', redact: (x) => x, sleep: async () => undefined }), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 1);
  t.regex(error?.message ?? '', /the e2e suite did not become ready .*ImagePullBackOff/);
});

test('e2e when the stack is not up: exit 2 with the command to run', async (t) => {
  const cluster = new FakeCluster({ pods: { api: { state: 'not-ready' } } });
  const model = stackModel(await fixtureConfig(), builtRefs);
  const kubectl = new KubectlClient(cluster, target);
  const error = await t.throwsAsync(requireKubeStackUp(kubectl, model), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 2);
  t.is(error?.message, 'the stack is not up on minikube/devpipe-staging-copy: api, gateway not ready');
  t.regex(error?.hint ?? '', /devpipe up --target minikube/);
});

test('status rows and NodePort URLs', async (t) => {
  const { kubectl } = await upCluster({ pods: { api: { state: 'not-ready' } } });
  const sel = 'devpipe.project=staging-copy';
  const rows = kubeStatusRows(await kubectl.get('deployments', sel), await kubectl.get('pods', sel), [{ name: 'citoid', status: 'deployed', chart: 'citoid-0.3.20', revision: '2' }]);
  t.deepEqual(rows.map((r) => [r.service, r.kind, r.ready, r.state]), [
    ['api', 'deployment', '0/1', 'NotReady'],
    ['citoid', 'release', '-', 'deployed'],
    ['gateway', 'deployment', '1/1', 'Ready'],
  ]);
  t.deepEqual(nodePortUrls(await kubectl.get('services', sel), '192.168.49.2'), { gateway: ['http://192.168.49.2:31080'] });
});

test('down: uninstalls the releases, deletes by label and keeps volumes; --volumes deletes the namespace', async (t) => {
  const { cluster, kubectl, bus } = await upCluster();
  const helm = new HelmCli(cluster, target);
  await helm.install({ mode: 'upgrade-install', release: 'citoid', chart: '/c', valuesFiles: [], setString: {}, timeoutMs: 1000 });
  cluster.objects.set('PersistentVolumeClaim/devpipe-staging-copy/data', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'devpipe-staging-copy', labels: { 'devpipe.project': 'staging-copy' } } });
  const result = await downKubeStack({ kubectl, helm }, bus, 'staging-copy', { volumes: false });
  t.deepEqual(result, { releases: ['citoid'], namespaceDeleted: false });
  t.deepEqual([...cluster.objects.keys()].sort(), ['Namespace//devpipe-staging-copy', 'PersistentVolumeClaim/devpipe-staging-copy/data']);
  t.deepEqual(cluster.calls.find((c) => c.args[4] === 'delete')?.args.slice(4), ['delete', 'deployments,replicasets,pods,services,jobs,secrets,configmaps', '-l', 'devpipe.project=staging-copy', '--ignore-not-found', '--wait=true']);
  await downKubeStack({ kubectl, helm }, bus, 'staging-copy', { volumes: true });
  t.deepEqual([...cluster.objects.keys()], []);
  t.deepEqual(cluster.unpinned(), []);
});
