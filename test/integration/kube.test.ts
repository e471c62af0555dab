/**
 * The minikube target against a real cluster: runs only when `kubectl --context minikube get ns`
 * succeeds; otherwise every test is skipped with the reason printed. It fails for a missing cluster
 * only with DEVPIPE_REQUIRE_KUBE=1 (the hosted workflow .github/workflows/kube.yml sets it after
 * starting minikube); DEVPIPE_REQUIRE_DOCKER=1 is about Docker only.
 *
 * What it proves on a laptop with minikube: `devpipe up --target minikube && devpipe e2e --target
 * minikube` passes for fixtures/staging-copy as on Compose, images reach the cluster without a
 * registry, status/logs/down work, and a pod that cannot start is named with its events.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import anyTest, { type TestFn } from 'ava';
import { execa } from 'execa';
import { runCli } from '../helpers/cli.js';
import { stagingCopy } from './stack-support.js';

const probe = await execa('kubectl', ['--context', process.env.MINIKUBE_PROFILE || 'minikube', 'get', 'ns', '-o', 'name'], { reject: false, timeout: 20_000 }).catch((error: Error) => ({ exitCode: 1, stderr: error.message, stdout: '' }));
const reason =
  probe.exitCode === 0
    ? undefined
    : `no Kubernetes cluster reachable through the minikube context (\`kubectl --context minikube get ns\`: ${String(probe.stderr || 'failed').split('\n').filter(Boolean).pop() ?? 'failed'})`;
const required = process.env.DEVPIPE_REQUIRE_KUBE === '1';
if (reason && required) anyTest('a Kubernetes cluster is reachable (DEVPIPE_REQUIRE_KUBE=1)', (t) => t.fail(reason));
else if (reason) console.log(`kube integration: skipped: ${reason}`);
const test = (reason ? anyTest.skip : anyTest.serial) as TestFn;

const env = {};

async function project(name: string): Promise<string> {
  const dir = await stagingCopy(name, 18000 + Math.floor(Math.random() * 900));
  const file = path.join(dir, '.pipeline/devpipe.yaml');
  await writeFile(file, `${await readFile(file, 'utf8')}\nsettings:\n  health_timeout: 180s\n`);
  return dir;
}

test('up → e2e → status → logs → down on minikube, as on Compose', async (t) => {
  const dir = await project(`kube-it-${process.pid}`);
  const ns = `devpipe-kube-it-${process.pid}`;
  try {
    const up = await runCli(['-C', dir, '--target', 'minikube', 'up'], { env });
    t.is(up.exitCode, 0, `${up.stdout}\n${up.stderr}`);
    t.regex(up.stdout, /is up on minikube\//);
    const e2e = await runCli(['-C', dir, '--target', 'minikube', 'e2e'], { env });
    t.is(e2e.exitCode, 0, `${e2e.stdout}\n${e2e.stderr}`);
    t.regex(e2e.stdout, /e2e passed/);
    const status = await runCli(['-C', dir, '--target', 'minikube', 'status'], { env });
    t.regex(status.stdout, /api +deployment 1\/1 +Ready/);
    const logs = await runCli(['-C', dir, '--target', 'minikube', 'logs', 'api'], { env });
    t.is(logs.exitCode, 0);
    t.false(logs.stdout.includes('fake-token-for-local-staging'));
  } finally {
    const down = await runCli(['-C', dir, '--target', 'minikube', 'down', '--volumes'], { env });
    t.is(down.exitCode, 0, down.stderr);
  }
  const left = await execa('kubectl', ['--context', 'minikube', 'get', 'ns', ns, '--ignore-not-found', '-o', 'name'], { reject: false });
  t.is(String(left.stdout).trim(), '', 'down --volumes removed the namespace');
});

test('a pinned image that does not exist: exit 1 naming the pod and its pull error', async (t) => {
  const dir = await project(`kube-bad-${process.pid}`);
  const file = path.join(dir, '.pipeline/devpipe.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('image: busybox:stable', 'image: devpipe.invalid/nope:1').replace('health_timeout: 180s', 'health_timeout: 60s'));
  try {
    const up = await runCli(['-C', dir, '--target', 'minikube', 'up'], { env });
    t.is(up.exitCode, 1, up.stderr);
    t.regex(up.stderr, /gateway did not become ready within 60s: pod gateway-\S+ is (ImagePullBackOff|ErrImagePull)/);
    t.regex(up.stderr, /events:/);
  } finally {
    await runCli(['-C', dir, '--target', 'minikube', 'down', '--volumes'], { env });
  }
});
