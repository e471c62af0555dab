import test from 'ava';
import { checkKube, matchKubeProblem } from '../../../src/kube/problems.js';
import { KubectlClient } from '../../../src/kube/kubectl.js';
import { HelmCli } from '../../../src/kube/helm.js';
import { MinikubeCli } from '../../../src/kube/minikube.js';
import { DevpipeError } from '../../../src/errors.js';
import { FakeCluster } from '../../fakes/kube/cluster.js';

/** The tools' own texts → exit code, message, hint. */
const table: { name: string; tool: string; text: string; exit: number; message: RegExp; hint: RegExp }[] = [
  { name: 'kubectl: unknown context', tool: 'kubectl', text: 'error: context "staging" does not exist', exit: 3, message: /^the kube context "staging" does not exist in your kubeconfig$/, hint: /kubectl config get-contexts.*--allow-context/ },
  { name: 'kubectl: minikube context missing', tool: 'kubectl', text: 'error: context "minikube" does not exist', exit: 3, message: /context "minikube" does not exist/, hint: /minikube start.*minikube update-context/ },
  { name: 'kubectl: unknown context (config error form)', tool: 'kubectl', text: 'Error in configuration: context was not found for specified context: minikube', exit: 3, message: /^the kube context "minikube" does not exist in your kubeconfig$/, hint: /minikube start/ },
  { name: 'helm: unknown context', tool: 'helm', text: 'Error: Kubernetes cluster unreachable: context "x" does not exist', exit: 3, message: /context "x" does not exist/, hint: /get-contexts/ },
  { name: 'minikube: no profile', tool: 'minikube', text: '* Profile "dev" not found. Run "minikube profile list" to view all profiles.', exit: 3, message: /minikube profile "dev" does not exist/, hint: /minikube start -p dev/ },
  { name: 'minikube: stopped', tool: 'minikube', text: '* The control-plane node minikube host is not running: state=Stopped', exit: 3, message: /^minikube is not running$/, hint: /minikube start/ },
  { name: 'kubectl: connection refused', tool: 'kubectl', text: 'The connection to the server 192.168.49.2:8443 was refused - did you specify the right host or port?', exit: 3, message: /^kubectl cannot reach the cluster at 192\.168\.49\.2:8443$/, hint: /minikube status/ },
  { name: 'kubectl: dial tcp', tool: 'kubectl', text: 'E1122 memcache.go:265] couldn\'t get current server API group list: Get "https://192.168.49.2:8443/api?timeout=32s": dial tcp 192.168.49.2:8443: connect: no route to host', exit: 3, message: /cannot reach the cluster at 192\.168\.49\.2:8443/, hint: /minikube start/ },
  { name: 'helm: unreachable', tool: 'helm', text: 'Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:32769/version": EOF', exit: 3, message: /helm cannot reach the cluster/, hint: /minikube status/ },
  { name: 'unauthorized', tool: 'kubectl', text: 'error: You must be logged in to the server (Unauthorized)', exit: 3, message: /Unauthorized/, hint: /update-context/ },
  { name: 'forbidden', tool: 'kubectl', text: 'Error from server (Forbidden): deployments.apps is forbidden: User "dev" cannot list resource "deployments"', exit: 3, message: /^the cluster forbids it: deployments\.apps is forbidden/, hint: /RBAC/ },
  { name: 'helm: pending operation', tool: 'helm', text: 'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress', exit: 3, message: /did not finish/, hint: /devpipe down --target minikube/ },
  { name: 'helm: chart path', tool: 'helm', text: 'Error: INSTALLATION FAILED: path "charts/nope" not found', exit: 2, message: /chart directory charts\/nope does not exist/, hint: /chart\.path/ },
  { name: 'helm: not a chart', tool: 'helm', text: 'Error: Chart.yaml file is missing', exit: 2, message: /no Chart\.yaml/, hint: /deployment-charts/ },
];

for (const row of table) {
  test(`known failure: ${row.name}`, (t) => {
    const error = matchKubeProblem(row.tool, row.text);
    t.truthy(error);
    t.is(error?.exitCode, row.exit);
    t.regex(error?.message ?? '', row.message);
    t.regex(error?.hint ?? '', row.hint);
    t.true(error?.details.some((d) => row.text.includes(d.trim())), 'keeps the raw text as evidence');
  });
}

test('an unknown failure keeps its evidence: command, exit code, stderr tail (exit 1)', (t) => {
  const error = t.throws(() => checkKube('kubectl', ['--context', 'm', 'apply', '-f', '-'], { exitCode: 1, stdout: '', stderr: 'line 1\nerror: error validating "STDIN": unknown field "spec.templat"' }), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 1);
  t.is(error?.message, '`kubectl --context m apply -f -` exited with code 1');
  t.deepEqual(error?.details, ['line 1', 'error: error validating "STDIN": unknown field "spec.templat"']);
});

test('through the adapters: a missing context, an unreachable cluster, a stopped minikube', async (t) => {
  const kubectl = new KubectlClient(new FakeCluster({ contexts: ['minikube'] }), { context: 'prod', namespace: 'x' });
  const a = await t.throwsAsync(kubectl.get('pods'), { instanceOf: DevpipeError });
  t.is(a?.exitCode, 3);
  t.is(a?.message, 'the kube context "prod" does not exist in your kubeconfig');
  const down = new KubectlClient(new FakeCluster({ reachable: false }), { context: 'minikube', namespace: 'x' });
  const b = await t.throwsAsync(down.apply('a: 1'), { instanceOf: DevpipeError });
  t.is(b?.exitCode, 3);
  t.regex(b?.message ?? '', /cannot reach the cluster/);
  const helm = new HelmCli(new FakeCluster({ reachable: false }), { context: 'minikube', namespace: 'x' });
  const c = await t.throwsAsync(helm.list(), { instanceOf: DevpipeError });
  t.is(c?.exitCode, 3);
  const mk = new MinikubeCli(new FakeCluster({ profiles: { minikube: { running: false, runtime: 'docker' } } }), 'minikube');
  const d = await t.throwsAsync(mk.dockerEnv(), { instanceOf: DevpipeError });
  t.is(d?.exitCode, 3);
  t.is(d?.message, 'minikube is not running');
  t.regex(d?.hint ?? '', /minikube start/);
});
