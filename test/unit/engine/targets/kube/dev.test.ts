/**
 * The Kubernetes DevTarget against a fake cluster: service images go into the cluster, the
 * unit-test image is built and run on this machine's engine only (never delivered), a failed
 * rollout re-applies the last good images, log following never rejects.
 */
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { kubePorts } from '../../../../../src/cli/adapters.js';
import { loadStack } from '../../../../../src/cli/load.js';
import { loadDevPlan } from '../../../../../src/engine/dev/load-plan.js';
import { kubeDevTarget } from '../../../../../src/engine/targets/kube/dev.js';
import { FakeCluster, type FakeClusterOptions } from '../../../../fakes/kube/cluster.js';
import { KubeTestContext, stagingCopyDir } from '../../../../fakes/kube/context.js';

async function setup(options: FakeClusterOptions = {}) {
  const cluster = new FakeCluster(options);
  const dir = await stagingCopyDir();
  // A unit-test variant beside the served one.
  await appendFile(path.join(dir, '.pipeline/blubber.yaml'), '  test:\n    copies:\n      - from: local\n        source: ./service\n        destination: ./service\n    entrypoint: [/bin/true]\n');
  const ctx = new KubeTestContext(cluster, dir);
  ctx.inside.builder.realDigest = true;
  const stack = await loadStack(ctx, { requireAll: true });
  const plan = await loadDevPlan(await ctx.workspace(), stack, { testVariant: undefined, revision: 'none' });
  const ports = await kubePorts(ctx);
  const target = kubeDevTarget(ports, await ports.setup(plan.config.project), ctx.redactor);
  return { cluster, ctx, plan, target };
}

test('the unit-test image is built on this machine and never delivered; service images are built in the cluster', async (t) => {
  const { ctx, plan, target } = await setup();
  t.truthy(plan.tests);
  const signal = new AbortController().signal;
  const service = plan.builds.find((b) => b.key.endsWith('#production'))!;
  const built = await target.images.build(plan, [service.key, plan.tests!.key], { scan: false, signal });
  t.deepEqual([...built.keys()].sort(), [service.key, plan.tests!.key].sort());
  t.true(ctx.inside.builder.builds.some((b) => b.tags.includes(built.get(service.key)!.contentTag)), 'the service image is built inside minikube (docker-env)');
  t.false(ctx.inside.builder.builds.some((b) => b.tags.includes(built.get(plan.tests!.key)!.contentTag)), 'the test image is not built in the cluster');
  t.true(ctx.host.builder.builds.some((b) => b.tags.includes(built.get(plan.tests!.key)!.contentTag)), 'the test image is built here');
  const exit = await target.suites.unitTests(plan.config.project, built.get(plan.tests!.key)!.contentTag, { signal, onOutput: () => undefined });
  t.is(exit, 0);
});

test('a rollout that never gets ready: the last good images are applied again and the result says rolled back', async (t) => {
  const { cluster, plan, target } = await setup();
  const signal = new AbortController().signal;
  const started = await target.deployer.start(plan, signal);
  const image = () => (cluster.objects.get('Deployment/devpipe-staging-copy/api') as { spec: { template: { spec: { containers: { image: string }[] } } } } | undefined)?.spec.template.spec.containers[0]!.image;
  const good = image();
  t.regex(good ?? '', /^staging-copy:production-/);
  cluster.options.pods = { api: { state: 'not-ready' } };
  const key = plan.builds.find((b) => b.key.endsWith('#production'))!.key;
  const settling: string[][] = [];
  const result = await target.deployer.redeploy(plan, started.deployment, new Map([[key, 'staging-copy:production-000000000bad']]), { signal, onSettling: (keys) => settling.push([...keys]) });
  t.is(result.kind, 'rolled-back');
  t.is(image(), good, 'the last good image runs again');
  t.deepEqual(settling, [[key], []]);
});

test('following logs of a service that has no pod never rejects', async (t) => {
  const { target } = await setup({ reachable: false });
  const controller = new AbortController();
  t.notThrows(() => target.deployer.followLogs('staging-copy', 'nope', controller.signal, () => undefined));
  await new Promise((r) => setTimeout(r, 50));
  controller.abort();
  t.pass();
});
