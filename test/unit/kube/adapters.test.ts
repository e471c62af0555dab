import test from 'ava';
import { createKubeAdapters } from '../../../src/kube/adapters.js';
import { HelmCli, installArgs } from '../../../src/kube/helm.js';
import { KubectlClient } from '../../../src/kube/kubectl.js';
import { MinikubeCli, parseEnvLines } from '../../../src/kube/minikube.js';
import { DevpipeError } from '../../../src/errors.js';
import { FakeCluster } from '../../fakes/kube/cluster.js';

const target = { context: 'minikube', namespace: 'devpipe-demo' };
const yaml = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: devpipe-demo\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: devpipe-demo\n  labels: {devpipe.project: demo}\ndata: {a: b}\n`;

test('every kubectl call starts with --context and --namespace', async (t) => {
  const cluster = new FakeCluster();
  const kubectl = new KubectlClient(cluster, target);
  t.deepEqual(await kubectl.apply(yaml), ['namespace/devpipe-demo created', 'configmap/c created']);
  t.deepEqual(await kubectl.apply(yaml), ['namespace/devpipe-demo unchanged', 'configmap/c unchanged']);
  t.is((await kubectl.get('configmaps', 'devpipe.project=demo')).length, 1);
  await kubectl.events('x');
  await kubectl.logs({ selector: 'devpipe.project=demo' }, { tail: 5, prefix: true, onLine: () => undefined });
  await kubectl.deleteByLabel('configmaps', 'devpipe.project=demo');
  await kubectl.deleteNamespace();
  t.deepEqual(cluster.unpinned(), []);
  t.deepEqual(cluster.calls.map((c) => c.args.slice(0, 5).join(' ')), [
    '--context minikube --namespace devpipe-demo apply',
    '--context minikube --namespace devpipe-demo apply',
    '--context minikube --namespace devpipe-demo get',
    '--context minikube --namespace devpipe-demo get',
    '--context minikube --namespace devpipe-demo logs',
    '--context minikube --namespace devpipe-demo delete',
    '--context minikube --namespace devpipe-demo delete',
  ]);
  t.deepEqual(cluster.calls[0]?.args.slice(4), ['apply', '-f', '-']);
  t.is(cluster.calls[0]?.input, yaml, 'manifests go on stdin, never to a file');
  t.deepEqual(kubectl.portForwardArgs('web-published', 18080, 8080), ['--context', 'minikube', '--namespace', 'devpipe-demo', 'port-forward', 'service/web-published', '18080:8080', '--address', '127.0.0.1']);
});

test('an adapter cannot be built without a context and a namespace', (t) => {
  const cluster = new FakeCluster();
  t.throws(() => new KubectlClient(cluster, { context: '', namespace: 'x' }));
  t.throws(() => new HelmCli(cluster, { context: 'minikube', namespace: '' }));
});

test('rollout status: true when rolled out, false on kubectl\'s timeout text', async (t) => {
  const cluster = new FakeCluster({ pods: { slow: { state: 'not-ready' } } });
  const kubectl = new KubectlClient(cluster, target);
  await kubectl.apply(`${yaml}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: devpipe-demo}\nspec: {}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: slow, namespace: devpipe-demo}\nspec: {}\n`);
  t.true(await kubectl.rolloutStatus('web', 5000));
  t.false(await kubectl.rolloutStatus('slow', 1500));
  t.deepEqual(cluster.calls.at(-1)?.args.slice(4), ['rollout', 'status', 'deployment/slow', '--timeout=2s']);
});

test('every helm cluster call carries --kube-context and --namespace', async (t) => {
  const cluster = new FakeCluster();
  const helm = new HelmCli(cluster, target);
  t.is(await helm.version(), 'v3.14.4+g81c902a');
  await helm.install({ mode: 'upgrade-install', release: 'api', chart: '/charts/api', valuesFiles: ['/v/values.yaml', '-', '/v/values-staging.yaml'], stdin: 'config: {}\n', setString: { 'main_app.version': 'v1' }, timeoutMs: 300_000 });
  await helm.test('api', 60_000);
  t.deepEqual(await helm.list(), [{ name: 'api', status: 'deployed', chart: 'chart-0.1.0', revision: '1' }]);
  await helm.uninstall('api');
  await helm.uninstall('api'); // already gone: not an error
  t.deepEqual(cluster.unpinned(), []);
  t.deepEqual(cluster.calls[1]?.args, [
    'upgrade', '--install', 'api', '/charts/api',
    '--values', '/v/values.yaml', '--values', '-', '--values', '/v/values-staging.yaml',
    '--set-string', 'main_app.version=v1', '--wait', '--timeout', '300s',
    '--kube-context', 'minikube', '--namespace', 'devpipe-demo',
  ]);
  t.is(cluster.calls[1]?.input, 'config: {}\n');
  t.deepEqual(cluster.calls[2]?.args.slice(0, 5), ['test', 'api', '--logs', '--timeout', '60s']);
});

test('helm install args: PipelineLib install with repo and version', (t) => {
  t.deepEqual(installArgs({ mode: 'install', release: 'ab12cd34', chart: 'mathoid', repo: 'https://helm-charts.wikimedia.org/stable/', version: '0.2.10', valuesFiles: ['-'], setString: {}, timeoutMs: 120_000 }), [
    'install', 'ab12cd34', 'mathoid', '--values', '-', '--repo', 'https://helm-charts.wikimedia.org/stable/', '--version', '0.2.10', '--wait', '--timeout', '120s',
  ]);
});

test('helm test failure names the test pod (exit 1) and keeps its output', async (t) => {
  const cluster = new FakeCluster({ helmTestFails: true });
  const helm = new HelmCli(cluster, target);
  await helm.install({ mode: 'upgrade-install', release: 'api', chart: '/c', valuesFiles: [], setString: {}, timeoutMs: 1000 });
  const error = await t.throwsAsync(helm.test('api', 1000), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 1);
  t.is(error?.message, 'helm test of api failed: test pod api-service-checker');
  t.true(error?.details.some((d) => d.includes('404 not found')));
});

test('helm install timeout is a failure (exit 1) that says where to look', async (t) => {
  const helm = new HelmCli(new FakeCluster({ helmTimesOut: true }), target);
  const error = await t.throwsAsync(helm.install({ mode: 'upgrade-install', release: 'api', chart: '/c', valuesFiles: [], setString: {}, timeoutMs: 300_000 }), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 1);
  t.is(error?.message, 'helm release api did not become ready within 300s');
  t.regex(error?.hint ?? '', /kubectl --context minikube --namespace devpipe-demo get pods/);
});

test('every minikube call carries -p PROFILE; status, runtime, docker-env, ip', async (t) => {
  const cluster = new FakeCluster({ profiles: { dev: { running: true, runtime: 'containerd' }, minikube: { running: true, runtime: 'docker' } } });
  const mk = new MinikubeCli(cluster, 'minikube');
  t.deepEqual(await mk.status(), { host: 'Running', apiServer: 'Running', kubeconfig: 'Configured', running: true });
  t.is(await mk.runtime(), 'docker');
  t.is(await new MinikubeCli(cluster, 'dev').runtime(), 'containerd');
  t.deepEqual(await mk.dockerEnv(), { DOCKER_TLS_VERIFY: '1', DOCKER_HOST: 'tcp://192.168.49.2:2376', DOCKER_CERT_PATH: '/home/dev/.minikube/certs', MINIKUBE_ACTIVE_DOCKERD: 'minikube' });
  t.is(await mk.ip(), '192.168.49.2');
  await mk.imageLoad('demo:production-0123456789ab');
  t.deepEqual(cluster.loaded, ['demo:production-0123456789ab']);
  t.deepEqual(cluster.calls.at(-1)?.args, ['-p', 'minikube', 'image', 'load', 'demo:production-0123456789ab', '--daemon']);
  t.deepEqual(cluster.unpinned(), []);
});

test('minikube status: stopped (exit 7) and a profile that does not exist (exit 85)', async (t) => {
  const cluster = new FakeCluster({ profiles: { minikube: { running: false, runtime: 'docker' } } });
  t.deepEqual(await new MinikubeCli(cluster, 'minikube').status(), { host: 'Stopped', apiServer: 'Stopped', kubeconfig: 'Stopped', running: false });
  t.deepEqual(await new MinikubeCli(cluster, 'other').status(), { host: 'Nonexistent', apiServer: 'Nonexistent', kubeconfig: 'Nonexistent', running: false });
});

test('docker-env on a containerd cluster: exit 3 with the way out', async (t) => {
  const mk = new MinikubeCli(new FakeCluster({ profiles: { minikube: { running: true, runtime: 'containerd' } } }), 'minikube');
  const error = await t.throwsAsync(mk.dockerEnv(), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 3);
  t.regex(error?.message ?? '', /runtime is not docker/);
  t.regex(error?.hint ?? '', /minikube image load/);
});

test('docker-env lines: --shell none, bash exports, unset values', (t) => {
  t.deepEqual(parseEnvLines('DOCKER_HOST=tcp://1.2.3.4:2376\nSSH_AUTH_SOCK=\n# comment\nexport DOCKER_CERT_PATH="/c"\n'), { DOCKER_HOST: 'tcp://1.2.3.4:2376', DOCKER_CERT_PATH: '/c' });
});

test('createKubeAdapters: Missing* for tools that are not on PATH (exit 3 with the fix), real ones otherwise', async (t) => {
  const adapters = await createKubeAdapters(new FakeCluster({ tools: { kubectl: true, helm: false, minikube: false } }));
  t.deepEqual(adapters.present, { kubectl: true, helm: false, minikube: false });
  t.true(adapters.kubectl(target) instanceof KubectlClient);
  const helm = await t.throwsAsync(adapters.helm(target).version(), { instanceOf: DevpipeError });
  t.is(helm?.exitCode, 3);
  t.is(helm?.message, 'helm is not installed (not found on PATH)');
  t.regex(helm?.hint ?? '', /helm\.sh\/docs\/intro\/install/);
  const mk = await t.throwsAsync(adapters.minikube('minikube').status(), { instanceOf: DevpipeError });
  t.is(mk?.exitCode, 3);
  t.regex(mk?.hint ?? '', /minikube\.sigs\.k8s\.io\/docs\/start.*minikube start/);
  const none = await createKubeAdapters(new FakeCluster({ tools: { kubectl: false } }));
  const kubectl = await t.throwsAsync(none.kubectl(target).apply(''), { instanceOf: DevpipeError });
  t.is(kubectl?.exitCode, 3);
  t.regex(kubectl?.hint ?? '', /kubernetes\.io\/docs\/tasks\/tools/);
});
