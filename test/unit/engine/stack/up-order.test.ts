import test from 'ava';
import { parse } from 'yaml';
import type { CompiledImage } from '../../../../src/engine/build.js';
import { EventBus } from '../../../../src/engine/events.js';
import { waitHealthy } from '../../../../src/engine/stack/health.js';
import { stackModel } from '../../../../src/engine/stack/model.js';
import { containersSettled, stopDeployer, upStack, type StackPorts } from '../../../../src/engine/stack/up.js';
import { POD_IMAGE, type LeakFinding } from '../../../../src/ports.js';
import { DevpipeError } from '../../../../src/errors.js';
import { FakeBuilder, FakeImages } from '../../../fakes/build.js';
import { container, FakeContainers, FakeDeployer, FakeResources, FakeScanner, MemoryFiles, stackConfig } from '../../../fakes/stack.js';

const config = stackConfig;

// api is built here (it gets a pod), web is pinned and waits for api.
const text = `version: v1
settings: { health_timeout: 2s }
services:
  api: { build: production, secrets: [tok], healthcheck: { command: ["true"] } }
  web: { image: nginx:1, depends_on: [api], ports: [8080] }
secrets: { tok: fake-tok-value }
`;
const compiled = (variant: string): CompiledImage => ({ variant, target: variant, dockerfile: `FROM x AS ${variant}\n`, buildkit: false, extraEntries: [], buildArgs: {}, baseImages: [] });
const secrets = [{ name: 'tok', value: 'fake-tok-value', source: 'devpipe.yaml' }];
const builds = [{ key: '.pipeline/blubber.yaml#production', image: compiled('production') }];

function ports() {
  const images = new FakeImages();
  return {
    builder: new FakeBuilder(images),
    images,
    containers: new FakeContainers(),
    deployer: new FakeDeployer(),
    files: new MemoryFiles('/p'),
    scanner: new FakeScanner(),
    pods: { async ensure() {} },
    resources: new FakeResources(),
  } satisfies StackPorts;
}

/** A scanner whose verdict waits for `release(findings)`; records what was deployed meanwhile. */
function heldScanner(p: ReturnType<typeof ports>) {
  const held: { release(findings: LeakFinding[]): void; deployedMeanwhile: { services?: readonly string[] }[] } = { release: () => undefined, deployedMeanwhile: [] };
  p.scanner.scan = () =>
    new Promise((resolve) => {
      held.release = (findings) => {
        held.deployedMeanwhile = p.deployer.calls.filter((c) => c.method === 'up').map((c) => (c.options ?? {}) as { services?: readonly string[] });
        resolve(findings);
      };
    });
  return held;
}

/** Releases the held verdict once the deployer has been called `count` times (or after 300 ms). */
async function releaseAfter(p: ReturnType<typeof ports>, held: ReturnType<typeof heldScanner>, findings: LeakFinding[], count = 1): Promise<void> {
  for (let i = 0; i < 60 && p.deployer.calls.length < count; i++) await new Promise((r) => setTimeout(r, 5));
  held.release(findings);
}

test('up from nothing: nothing of the stack is deployed before the leak guard\'s verdict, not even the pods', async (t) => {
  const p = ports();
  const held = heldScanner(p);
  p.containers.onList = (self) => {
    if (p.deployer.calls.some((c) => c.method === 'up') && self.containers.length === 0) {
      self.containers = [container('demo', 'api', 'running', 'Up (healthy)'), container('demo', 'web', 'running', 'Up 1 second')];
    }
  };
  const up = upStack(p, new EventBus(), { config: config(text), builds, secrets, revision: 'r', pollMs: 1, settleMs: 0 });
  await releaseAfter(p, held, []);
  await up;
  t.deepEqual(held.deployedMeanwhile, [], 'no deploy call before the verdict');
  const file = parse(p.files.files.get('.devpipe/stack/compose.yaml')?.content ?? '') as { services: Record<string, { image: string }> };
  t.is(file.services['api.pod']?.image, POD_IMAGE);
  t.deepEqual(p.deployer.calls.map((c) => [c.method, c.options]), [['up', undefined]], 'one deploy of the whole stack, after the verdict');
});

test('up from nothing, interrupted during the scan: nothing was deployed, nothing to take down', async (t) => {
  const p = ports();
  heldScanner(p);
  const controller = new AbortController();
  const up = upStack(p, new EventBus(), { config: config(text), builds, secrets, revision: 'r', signal: controller.signal, pollMs: 1, settleMs: 0 });
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  controller.abort();
  const error = await t.throwsAsync(up, { instanceOf: DevpipeError });
  t.is(error?.kind, 'interrupted');
  t.true(Date.now() - started < 1000, 'the interrupted up ends at once');
  t.deepEqual(p.deployer.calls.map((c) => c.method), []);
});

test('up from nothing: a leak stops it before any deploy', async (t) => {
  const p = ports();
  const held = heldScanner(p);
  const up = upStack(p, new EventBus(), { config: config(text), builds, secrets, revision: 'r', pollMs: 1, settleMs: 0 });
  await releaseAfter(p, held, [{ secret: 'tok', where: 'layer', layer: '2/3 (abc)', path: 'srv/app/.env' }]);
  const error = await t.throwsAsync(up, { instanceOf: DevpipeError });
  t.regex(error?.message ?? '', /contains the value of secret "tok"/);
  t.deepEqual(p.deployer.calls, []);
});

test('waiting: a service that gets healthy is noticed on the engine\'s change event, not at the next poll', async (t) => {
  const p = ports();
  p.containers.containers = [container('demo', 'api', 'running', 'Up (health: starting)'), container('demo', 'web', 'running', 'Up 5 seconds')];
  const model = stackModel(config(text));
  setTimeout(() => {
    p.containers.containers = [container('demo', 'api', 'running', 'Up (healthy)'), container('demo', 'web', 'running', 'Up 5 seconds')];
    p.containers.changed();
  }, 50);
  const started = Date.now();
  const states = await waitHealthy(p, new EventBus(), model, { project: 'demo', file: 'f', cwd: '/p' }, { timeoutMs: 60_000, pollMs: 10_000, settleMs: 0 });
  t.true(states.every((s) => s.ready));
  t.true(Date.now() - started < 2000, `noticed ${Date.now() - started} ms after the start; the poll interval is 10 s`);
  t.deepEqual(p.containers.watches.map((w) => [w.labels, w.signal.aborted]), [[{ 'devpipe.project': 'demo' }, true]], 'one watch on the project, ended with the wait');
});

test('waiting: a change seen while the states are read is read again at once (no event lost between reading and sleeping)', async (t) => {
  const p = ports();
  let lists = 0;
  p.containers.containers = [container('demo', 'api', 'running', 'Up (health: starting)'), container('demo', 'web', 'running', 'Up 5 seconds')];
  p.containers.onList = (self) => {
    lists++;
    if (lists === 1) {
      // The engine reports the change while the first list is under way; the list itself is already stale.
      setImmediate(() => {
        self.containers = [container('demo', 'api', 'running', 'Up (healthy)'), container('demo', 'web', 'running', 'Up 5 seconds')];
        self.changed();
      });
    }
  };
  const model = stackModel(config(text));
  const slowList = p.containers.list.bind(p.containers);
  p.containers.list = async (labels) => {
    const result = await slowList(labels);
    await new Promise((r) => setTimeout(r, 10));
    return result;
  };
  const started = Date.now();
  await waitHealthy(p, new EventBus(), model, { project: 'demo', file: 'f', cwd: '/p' }, { timeoutMs: 60_000, pollMs: 10_000, settleMs: 0 });
  t.true(Date.now() - started < 2000, `took ${Date.now() - started} ms; the poll interval is 10 s`);
  t.is(lists, 2);
});

test('up: Compose is found while the images build; when it is missing, the build stops and its hinted error is the one reported', async (t) => {
  const p = ports();
  let buildSignal: AbortSignal | undefined;
  p.builder.build = (request) => {
    buildSignal = request.signal;
    return new Promise((_, reject) => request.signal?.addEventListener('abort', () => reject(new DevpipeError('interrupted', 'build cancelled')), { once: true }));
  };
  let describing = false;
  p.deployer.describe = async () => {
    describing = true;
    await new Promise((r) => setTimeout(r, 30));
    throw new DevpipeError('environment', 'Docker Compose is not installed', { hint: 'install the Compose v2 plugin' });
  };
  const error = await t.throwsAsync(upStack(p, new EventBus(), { config: config(text), builds, secrets, revision: 'r' }), { instanceOf: DevpipeError });
  t.true(describing);
  t.is(error?.exitCode, 3);
  t.is(error?.message, 'Docker Compose is not installed');
  t.true(buildSignal?.aborted, 'the build was stopped, not left running');
  t.deepEqual(p.deployer.calls, []);
});

test('stopping a deploy after a failed wait: a waiting Compose (containers unchanged) is stopped at once; a finishing one is not stopped', async (t) => {
  const waiting = new AbortController();
  const never = new Promise<void>((resolve) => waiting.signal.addEventListener('abort', () => resolve()));
  const started = Date.now();
  await stopDeployer(never, waiting, 10_000, Promise.resolve());
  t.true(waiting.signal.aborted, 'idle: stopped');
  t.true(Date.now() - started < 1000, 'without waiting for the grace');

  const finishing = new AbortController();
  await stopDeployer(new Promise((r) => setTimeout(r, 20)), finishing, 10_000, new Promise(() => undefined));
  t.false(finishing.signal.aborted, 'a deploy that finishes is never stopped');

  const slow = new AbortController();
  await stopDeployer(new Promise<void>((resolve) => slow.signal.addEventListener('abort', () => resolve())), slow, 50);
  t.true(slow.signal.aborted, 'the grace still bounds it');
});

test('containersSettled: resolves once the containers stop changing, not while they change', async (t) => {
  const containers = new FakeContainers();
  let n = 0;
  containers.onList = (self) => {
    n++;
    // Changes for the first 6 reads (a recreate in progress), then stays.
    if (n <= 6) self.containers = [container('demo', `svc${n}`, 'created', '')];
  };
  const stop = new AbortController();
  const started = Date.now();
  await containersSettled(containers, 'demo', 100, stop.signal);
  t.true(n > 6, `read ${n} times: it waited for the changes to stop`);
  t.true(Date.now() - started >= 100);
  stop.abort();
  const stopped = new AbortController();
  stopped.abort();
  const result = await Promise.race([containersSettled(containers, 'demo', 10, stopped.signal).then(() => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 100))]);
  t.is(result, 'pending', 'a stopped watch never reports settled');
});
