/* eslint-disable @typescript-eslint/no-explicit-any -- manifests and kubectl JSON are plain trees read by deep path here */
/**
 * The kube target through the commands (src/cli/commands/*.ts → src/cli/kube-target.ts), with the
 * composition root's adapters replaced by fakes (KubeTestContext) or, for paths that need no
 * cluster, through the real CLI (runCli) on this machine.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { DevpipeError } from '../../../src/errors.js';
import { runCli } from '../../helpers/cli.js';
import { FakeCluster, type FakeClusterOptions } from '../../fakes/kube/cluster.js';
import { KubeTestContext, stagingCopyDir } from '../../fakes/kube/context.js';

const cleanEnv = async () => ({ XDG_CONFIG_HOME: await mkdtemp(path.join(tmpdir(), 'devpipe-xdg-')), DEVPIPE_SECRET_API_TOKEN: undefined as unknown as string });

async function command(name: 'up' | 'down' | 'status' | 'logs' | 'e2e', ctx: KubeTestContext, options: Record<string, unknown> = {}, args: unknown[] = []): Promise<number> {
  const module = (await import(`../../../src/cli/commands/${name}.js`)) as { run: (c: unknown, a: unknown[], o: Record<string, unknown>) => Promise<number> };
  try {
    return await module.run(ctx, args, options);
  } finally {
    await ctx.finish();
  }
}

test('up --target minikube --dry-run for fixtures/staging-copy: no cluster, secrets redacted (snapshot)', async (t) => {
  const result = await runCli(['-C', 'fixtures/staging-copy', '--target', 'minikube', 'up', '--dry-run'], { env: { ...(await cleanEnv()), DOCKER_HOST: 'unix:///nonexistent.sock', PATH: '/nonexistent' } });
  t.is(result.exitCode, 0, result.stderr);
  t.false(result.stdout.includes('fake-token-for-local-staging'));
  t.regex(result.stdout, /api_token: "\[redacted: fixtures\/staging-copy\/\.pipeline\/devpipe\.yaml \(fake value\)\]"/);
  t.snapshot(result.stdout);
});

test('--profile minikube selects the target and its 300s health timeout', async (t) => {
  const result = await runCli(['-C', 'fixtures/staging-copy', '--profile', 'minikube', 'up', '--dry-run'], { env: await cleanEnv() });
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /rollout status deployment\/api --timeout=300s/);
});

test('on this machine (no minikube on PATH): up --target minikube exits 3 with the install fix', async (t) => {
  const result = await runCli(['-C', 'fixtures/staging-copy', '--target', 'minikube', 'up'], { env: { ...(await cleanEnv()), PATH: '/nonexistent' } });
  t.is(result.exitCode, 3);
  t.regex(result.stderr, /error: minikube is not installed \(not found on PATH\)/);
  t.regex(result.stderr, /hint: install minikube .*minikube start/);
});

test('up: docker runtime → built inside minikube (docker-env), applied, rolled out, NodePort URL printed; every call pinned', async (t) => {
  const cluster = new FakeCluster();
  const ctx = new KubeTestContext(cluster, await stagingCopyDir());
  t.is(await command('up', ctx), 0);
  t.deepEqual(ctx.dockerEnvSeen?.DOCKER_HOST, 'tcp://192.168.49.2:2376');
  t.is(ctx.inside.builder.builds.length, 1, 'api built inside minikube');
  t.is(ctx.host.builder.builds.length, 0, 'nothing built on this machine');
  t.deepEqual(cluster.unpinned(), []);
  const api = cluster.objects.get('Deployment/devpipe-staging-copy/api') as any;
  t.regex(api.spec.template.spec.containers[0].image, /^staging-copy:production-[0-9a-f]{12}$/);
  t.regex(ctx.out.text, /staging-copy is up on minikube\/devpipe-staging-copy/);
  t.regex(ctx.out.text, /gateway +http:\/\/192\.168\.49\.2:31080/);
  t.regex(ctx.out.text, /--forward \(localhost:18080 → gateway:8080\)/);
  t.false(ctx.out.text.includes('fake-token-for-local-staging'));
  t.deepEqual(ctx.scanner.scanned.length, 1, 'the leak guard scanned the built image');
});

test('up: containerd runtime → built here, then minikube image load (built and pinned images)', async (t) => {
  const cluster = new FakeCluster({ profiles: { minikube: { running: true, runtime: 'containerd' } } });
  const ctx = new KubeTestContext(cluster, await stagingCopyDir());
  ctx.host.store.images.set('busybox:stable', { id: 'sha256:busybox', labels: {} });
  t.is(await command('up', ctx), 0);
  t.is(ctx.host.builder.builds.length, 1);
  t.is(ctx.dockerEnvSeen, undefined);
  t.is(cluster.loaded.length, 2);
  t.regex(cluster.loaded[0] ?? '', /^staging-copy:production-[0-9a-f]{12}$/);
  t.is(cluster.loaded[1], 'busybox:stable');
});

const upErrors: [string, FakeClusterOptions, Record<string, unknown>, number, RegExp, RegExp][] = [
  ['minikube stopped', { profiles: { minikube: { running: false, runtime: 'docker' } } }, {}, 3, /^minikube is not running \(host Stopped, apiserver Stopped\)$/, /minikube start/],
  ['no minikube profile', { profiles: {} }, {}, 3, /the minikube profile "minikube" does not exist/, /minikube start/],
  ['minikube not installed', { tools: { minikube: false } }, {}, 3, /^minikube is not installed/, /minikube\.sigs\.k8s\.io/],
  ['containerd and no engine here: cannot deliver images', { profiles: { minikube: { running: true, runtime: 'containerd' } } }, { hostEngine: false }, 3, /cannot get images into minikube/, /--container-runtime=docker/],
  ['a pod cannot pull its image', { pods: { gateway: { state: 'ImagePullBackOff' } } }, {}, 1, /gateway did not become ready within 300s: pod gateway-\S+ is ImagePullBackOff/, /cannot pull busybox:stable/],
  ['--allow-context naming a context not in the kubeconfig', { contexts: ['minikube'] }, { allowContext: 'staging' }, 3, /the kube context "staging" does not exist/, /--allow-context/],
];
for (const [name, clusterOptions, ctxOptions, exit, message, hint] of upErrors) {
  test(`up --target minikube: ${name} → exit ${exit}`, async (t) => {
    const ctx = new KubeTestContext(new FakeCluster(clusterOptions), await stagingCopyDir(), { profile: 'minikube', ...ctxOptions });
    const error = await t.throwsAsync(command('up', ctx), { instanceOf: DevpipeError });
    t.is(error?.exitCode, exit);
    t.regex(error?.message ?? '', message);
    t.regex(error?.hint ?? '', hint);
  });
}

test('--allow-context NAME: a non-minikube context is used only when named; images must be pinned there', async (t) => {
  const cluster = new FakeCluster({ contexts: ['minikube', 'staging'] });
  const ctx = new KubeTestContext(cluster, await stagingCopyDir(), { allowContext: 'staging' });
  const error = await t.throwsAsync(command('up', ctx), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 3);
  t.regex(error?.message ?? '', /cannot get the images it builds into the context "staging" without a registry/);
  t.false(cluster.calls.some((c) => c.command === 'kubectl' && c.args[1] === 'minikube'), 'never falls back to minikube');
});

async function projectWith(yaml: string, files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devpipe-kube-spec-'));
  await mkdir(path.join(dir, '.pipeline'), { recursive: true });
  await writeFile(path.join(dir, '.pipeline/devpipe.yaml'), yaml);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  return dir;
}

const chartProject = `version: v1
project: citoid-local
services:
  citoid:
    image: docker-registry.wikimedia.org/wikimedia/mediawiki-services-citoid:2026-08-17-094555-production
    secrets: [{name: zotero_key, env: ZOTERO_KEY}]
    env: {LOG_LEVEL: debug}
    chart:
      path: charts/citoid
      values: [helmfile/values.yaml, helmfile/values-staging.yaml]
secrets:
  zotero_key: fake-zotero-key
`;
const chartFiles = {
  'charts/citoid/Chart.yaml': 'apiVersion: v2\nname: citoid\nversion: 0.3.20\n',
  'charts/citoid/values.yaml': 'main_app:\n  image: wikimedia/mediawiki-services-citoid\n  version: latest\n',
  'helmfile/values.yaml': 'resources: {replicas: 8}\n',
  'helmfile/values-staging.yaml': 'resources: {replicas: 1}\n',
};

test('dry run of a chart service: the pinned helm command, values layered as deployment-charts does, the private slot redacted', async (t) => {
  const dir = await projectWith(chartProject, chartFiles);
  const result = await runCli(['-C', dir, '--target', 'minikube', 'up', '--dry-run'], { env: await cleanEnv() });
  t.is(result.exitCode, 0, result.stderr);
  t.false(result.stdout.includes('fake-zotero-key'));
  t.regex(result.stdout, /# 2\. citoid: helm chart \(values: chart defaults → helmfile\/values\.yaml → private slot \(stdin, below\) → helmfile\/values-staging\.yaml → image override of main_app\.image\/main_app\.version\)/);
  t.regex(result.stdout, /helm upgrade --install citoid charts\/citoid --values helmfile\/values\.yaml --values - --values helmfile\/values-staging\.yaml --set-string docker\.registry=docker-registry\.wikimedia\.org --set-string docker\.pull_policy=IfNotPresent --set-string main_app\.image=wikimedia\/mediawiki-services-citoid --set-string main_app\.version=2026-08-17-094555-production --wait --timeout 120s --kube-context minikube --namespace devpipe-citoid-local/);
  t.regex(result.stdout, /private:\n {4}ZOTERO_KEY: "\[redacted\]"\n {2}public:\n {4}LOG_LEVEL: debug/);
  t.regex(result.stdout, /helm test citoid --logs/);
  t.notRegex(result.stdout, /kind: Deployment/, 'the chart deploys citoid, not devpipe manifests');
});

test('up with a chart service: helm upgrade --install (secrets on stdin only), helm test, pinned', async (t) => {
  const dir = await projectWith(chartProject, chartFiles);
  const cluster = new FakeCluster();
  const ctx = new KubeTestContext(cluster, dir);
  t.is(await command('up', ctx), 0);
  const install = cluster.calls.find((c) => c.command === 'helm' && c.args[0] === 'upgrade');
  t.regex(install?.input ?? '', /ZOTERO_KEY: fake-zotero-key/);
  t.true(install?.args.includes(path.join(dir, 'helmfile/values-staging.yaml')));
  t.true(cluster.calls.some((c) => c.command === 'helm' && c.args[0] === 'test'));
  t.deepEqual(cluster.unpinned(), []);
  t.regex(ctx.out.text, /citoid +\(helm release citoid\)/);
});

test('up with a chart service and no helm on PATH → exit 3 with the install fix', async (t) => {
  const ctx = new KubeTestContext(new FakeCluster({ tools: { helm: false } }), await projectWith(chartProject, chartFiles));
  const error = await t.throwsAsync(command('up', ctx), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 3);
  t.is(error?.message, 'helm is not installed (not found on PATH)');
  t.regex(error?.hint ?? '', /helm\.sh/);
});

const specErrors: [string, string, Record<string, string>, RegExp][] = [
  ['a chart path that is not a chart', chartProject, { 'charts/citoid/values.yaml': 'x: 1\n' }, /services\.citoid\.chart\.path: charts\/citoid is not a Helm chart/],
  ['a values file that does not exist', chartProject, { 'charts/citoid/Chart.yaml': 'name: citoid\n' }, /services\.citoid\.chart\.values: helmfile\/values\.yaml does not exist/],
  ['a service name Kubernetes refuses', 'version: v1\nservices:\n  my_api: {image: busybox:stable}\n', {}, /service name "my_api" cannot be used on Kubernetes/],
];
for (const [name, yaml, files, message] of specErrors) {
  test(`up --target minikube --dry-run: ${name} → exit 2`, async (t) => {
    const result = await runCli(['-C', await projectWith(yaml, files), '--target', 'minikube', 'up', '--dry-run'], { env: await cleanEnv() });
    t.is(result.exitCode, 2, result.stdout);
    t.regex(result.stderr, message);
    t.regex(result.stderr, /hint: /);
  });
}

test('e2e --target minikube: the suite as a Job; exit code is the suite\'s; reports saved on failure', async (t) => {
  const dir = await stagingCopyDir();
  const cluster = new FakeCluster({ pods: { e2e: { state: 'ready', exitCode: 0, logs: ['e2e: all checks passed'] } } });
  const ctx = new KubeTestContext(cluster, dir);
  t.is(await command('up', ctx), 0);
  t.is(await command('e2e', ctx), 0);
  t.regex(ctx.out.text, /e2e passed on minikube\/devpipe-staging-copy/);
  const failing = new KubeTestContext(new FakeCluster({ pods: { e2e: { state: 'ready', exitCode: 4 } } }), dir);
  t.is(await command('e2e', failing, { up: true }), 4);
  t.regex(failing.err.text, /the e2e suite failed \(exit code 4/);
  t.regex(failing.err.text, /\.devpipe\/reports\/\S+\//);
});

test('e2e --target minikube when the stack is not up → exit 2', async (t) => {
  const ctx = new KubeTestContext(new FakeCluster(), await stagingCopyDir());
  const error = await t.throwsAsync(command('e2e', ctx), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 2);
  t.regex(error?.message ?? '', /the stack is not up on minikube\/devpipe-staging-copy: api, gateway not ready/);
});

test('status, logs, down --target minikube', async (t) => {
  const dir = await stagingCopyDir();
  const cluster = new FakeCluster({ pods: { api: { state: 'ready', logs: ['whoami: authorized caller, token fake-token-for-local-staging'] } } });
  const ctx = new KubeTestContext(cluster, dir);
  await command('up', ctx);
  const status = new KubeTestContext(cluster, dir);
  t.is(await command('status', status), 0);
  t.regex(status.out.text, /staging-copy on minikube\/devpipe-staging-copy:\n {2}api +deployment 1\/1 +Ready/);
  t.regex(status.out.text, /gateway +deployment 1\/1 +Ready +http:\/\/192\.168\.49\.2:31080/);
  const logs = new KubeTestContext(cluster, dir);
  t.is(await command('logs', logs, {}, [['api']]), 0);
  t.regex(logs.out.text, /\[pod\/api-\S+\/api\] whoami: authorized caller, token \[secret:api_token\]/);
  const unknown = await t.throwsAsync(command('logs', new KubeTestContext(cluster, dir), {}, [['apii']]), { instanceOf: DevpipeError });
  t.is(unknown?.exitCode, 2);
  t.regex(unknown?.hint ?? '', /did you mean "api"/);
  const down = new KubeTestContext(cluster, dir);
  t.is(await command('down', down), 0);
  t.regex(down.out.text, /staging-copy removed from minikube\/devpipe-staging-copy \(volumes and the namespace kept/);
  t.deepEqual([...cluster.objects.keys()], ['Namespace//devpipe-staging-copy']);
  t.deepEqual(cluster.unpinned(), []);
});

test('up --forward: localhost:HOST forwarded to the published service until the signal aborts', async (t) => {
  const cluster = new FakeCluster();
  const ctx = new KubeTestContext(cluster, await stagingCopyDir());
  const controller = new AbortController();
  // Stop once the first forward is announced.
  const print = ctx.print.bind(ctx);
  ctx.print = (text = '') => {
    print(text);
    if (text.includes('forwarding localhost')) setTimeout(() => controller.abort(), 20);
  };
  t.is(await command('up', ctx, { forward: true, signal: controller.signal }), 0);
  t.regex(ctx.out.text, /forwarding until Ctrl-C/);
  t.regex(ctx.out.text, / {2}forwarding localhost:18080 → gateway:8080/);
  t.regex(ctx.out.text, / {2}stopped localhost:18080 → gateway:8080/);
  const forward = cluster.calls.find((c) => c.args.includes('port-forward'));
  t.deepEqual(forward?.args, ['--context', 'minikube', '--namespace', 'devpipe-staging-copy', 'port-forward', 'service/gateway-published', '18080:8080', '--address', '127.0.0.1']);
});

test('dev --target minikube: up on the cluster, then a change to an input rolls out a new image; an unrelated file does nothing', async (t) => {
  const cluster = new FakeCluster();
  const dir = await stagingCopyDir();
  const ctx = new KubeTestContext(cluster, dir);
  ctx.inside.builder.realDigest = true;
  const abort = new AbortController();
  const events: { type: string; [k: string]: unknown }[] = [];
  ctx.bus.subscribe((e) => events.push(e as never));
  const module = (await import('../../../src/cli/commands/dev.js')) as unknown as { run: (c: unknown, a: unknown[], o: Record<string, unknown>) => Promise<number> };
  const running = module.run(ctx, [], { signal: abort.signal });
  const waitFor = async (test: () => boolean) => {
    for (let i = 0; i < 400 && !test(); i++) await new Promise((r) => setTimeout(r, 25));
    t.true(test());
  };
  await waitFor(() => events.some((e) => e.type === 'message' && String(e.text).startsWith('watching')));
  const image = () => (cluster.objects.get('Deployment/devpipe-staging-copy/api') as any)?.spec.template.spec.containers[0].image as string;
  const before = image();
  t.regex(before, /^staging-copy:production-[0-9a-f]{12}$/);
  const { writeFile, readdir } = await import('node:fs/promises');
  await writeFile(path.join(dir, 'README.unrelated.md'), 'notes\n');
  const cgi = (await readdir(path.join(dir, 'service/www/cgi-bin')))[0]!;
  await writeFile(path.join(dir, 'service/www/cgi-bin', cgi), '#!/bin/sh\necho changed\n');
  await waitFor(() => events.some((e) => e.type === 'dev:iteration' && e.phase === 'end'));
  const ended = events.filter((e) => e.type === 'dev:iteration' && e.phase === 'end');
  t.is(ended.length, 1, 'one iteration, for the input only');
  t.is(ended[0]?.outcome, 'ok');
  t.deepEqual(ended[0]?.reason, [`service/www/cgi-bin/${cgi}`]);
  t.not(image(), before, 'the new content tag rolled out');
  t.deepEqual(cluster.unpinned(), []);
  abort.abort();
  t.is(await Promise.race([running, new Promise((resolve) => setTimeout(() => resolve('still running'), 5000))]), 0);
  await ctx.finish();
});
