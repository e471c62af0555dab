/**
 * The real kubectl client (installed here; no cluster) against a kubeconfig whose API server
 * refuses connections: proves that every argv KubectlClient builds is accepted by kubectl's own
 * flag parser (an unknown flag fails before any connection, with "unknown flag"), and that its
 * real error texts (context does not exist, connection refused) map to the hinted exit-3 errors.
 * Skipped, with the reason, when kubectl is not on PATH.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { DevpipeError } from '../../src/errors.js';
import { KubectlClient } from '../../src/kube/kubectl.js';
import { ExecaProcessRunner } from '../../src/process/execa-runner.js';

const proc = new ExecaProcessRunner();
const kubectlPath = await proc.which('kubectl');
const run = kubectlPath ? test : test.skip;
if (!kubectlPath) console.log('kube-cli: skipped: kubectl is not on PATH (these tests run the real kubectl client, no cluster needed)');

async function deadKubeconfig(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devpipe-kubeconfig-'));
  const file = path.join(dir, 'config');
  await writeFile(
    file,
    ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: dead', '  cluster: {server: "https://127.0.0.1:1"}', 'contexts:', '- name: dead', '  context: {cluster: dead, user: u}', 'users:', '- name: u', '  user: {token: x}', 'current-context: dead', ''].join('\n'),
  );
  return file;
}

run('a context that does not exist: exit 3 naming it (real kubectl text)', async (t) => {
  const kubectl = new KubectlClient(proc, { context: 'devpipe-no-such-context', namespace: 'x' }, { KUBECONFIG: await deadKubeconfig() });
  const error = await t.throwsAsync(kubectl.get('pods'), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 3);
  t.is(error?.message, 'the kube context "devpipe-no-such-context" does not exist in your kubeconfig');
});

run('every kubectl argv devpipe builds parses (no "unknown flag"), and a refused connection maps to exit 3', async (t) => {
  const env = { KUBECONFIG: await deadKubeconfig() };
  const kubectl = new KubectlClient(proc, { context: 'dead', namespace: 'devpipe-demo' }, env);
  const calls: [string, () => Promise<unknown>][] = [
    ['ping', () => kubectl.ping()],
    ['apply', () => kubectl.apply('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: devpipe-demo\n')],
    ['get', () => kubectl.get('deployments,pods', 'devpipe.project=demo')],
    ['rollout status', () => kubectl.rolloutStatus('api', 2000)],
    ['events', () => kubectl.events('api-7d9f8b6c5d-x2k4q')],
    ['logs', () => kubectl.logs({ selector: 'devpipe.project=demo' }, { tail: 20, prefix: true, onLine: () => undefined })],
    ['logs -f', () => kubectl.logs({ pod: 'api-x' }, { follow: true, previous: false, onLine: () => undefined })],
    ['delete by label', () => kubectl.deleteByLabel('deployments,replicasets,pods,services,jobs,secrets,configmaps', 'devpipe.project=demo')],
    ['delete namespace', () => kubectl.deleteNamespace()],
  ];
  for (const [name, call] of calls) {
    const error = await t.throwsAsync(call(), { instanceOf: DevpipeError }, name);
    t.notRegex(`${error?.message}\n${error?.details.join('\n')}`, /unknown flag|unknown shorthand|invalid argument/, name);
    t.is(error?.exitCode, 3, `${name}: ${error?.message}`);
    t.regex(error?.message ?? '', /cannot reach the cluster/, name);
  }
  const forward = await proc.run('kubectl', kubectl.portForwardArgs('gateway-published', 18080, 8080), { env, timeoutMs: 20_000 });
  t.notRegex(forward.stderr, /unknown flag|unknown shorthand/);
  t.regex(forward.stderr, /refused/);
});
