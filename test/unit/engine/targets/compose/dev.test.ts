/**
 * The Compose DevTarget on recording fakes of the stack ports: the fast redeploy through the
 * Engine API and its compose fallback, rollback through compose, a superseded readiness wait,
 * the hot path into every running container, the unit-test container's labels.
 */
import test from 'ava';
import { deploymentWith } from '../../../../../src/engine/dev/deployment.js';
import { EventBus } from '../../../../../src/engine/events.js';
import { stackModel } from '../../../../../src/engine/stack/model.js';
import { composeDevTarget } from '../../../../../src/engine/targets/compose/dev.js';
import type { Deployment } from '../../../../../src/engine/targets/types.js';
import { FakeBuilder, FakeImages } from '../../../../fakes/build.js';
import { API, devPlan, WEB } from '../../../../fakes/dev.js';
import { container, FakeContainers, FakeDeployer, FakeResources, FakeScanner, MemoryFiles } from '../../../../fakes/stack.js';

const plan = devPlan({ tests: false });

function setup() {
  const images = new FakeImages();
  const containers = new FakeContainers();
  const deployer = new FakeDeployer();
  const files = new MemoryFiles('/p');
  const calls: string[] = [];
  const replacer = {
    failing: false,
    async prepare(ids: readonly string[]) {
      calls.push(`prepare ${ids.join(',')}`);
    },
    async replace(id: string, image: string) {
      calls.push(`replace ${id} ${image}`);
      if (replacer.failing) throw new Error('engine said no');
      return id;
    },
  };
  const syncer = {
    async put(id: string, copies: readonly { containerPath: string }[]) {
      calls.push(`put ${id} ${copies.map((c) => c.containerPath).join(',')}`);
    },
    async restart(id: string) {
      calls.push(`restart ${id}`);
    },
  };
  const ports = { builder: new FakeBuilder(images), images, containers, deployer, files, scanner: new FakeScanner(), pods: { ensure: async () => undefined }, resources: new FakeResources(), replacer, syncer };
  const target = composeDevTarget(ports, new EventBus());
  const tags = new Map([
    [WEB, 'demo/web:old'],
    [API, 'demo/api:old'],
  ]);
  const current: Deployment = { tags, model: stackModel(plan.config, tags) };
  return { target, containers, deployer, files, calls, replacer, current };
}

const running = (service: string) => ({ ...container('demo', service, 'running', 'Up 3 seconds'), id: `id-${service}` });
const options = (signal = new AbortController().signal) => ({ signal, onSettling: () => undefined });

test('redeploy: each running container swapped through the Engine API, then served when ready', async (t) => {
  const { target, containers, deployer, calls, current } = setup();
  containers.containers = [running('web'), running('api')];
  const result = await target.deployer.redeploy(plan, current, new Map([[WEB, 'demo/web:new']]), options());
  t.is(result.kind, 'served');
  t.deepEqual(calls, ['replace id-web demo/web:new']);
  t.deepEqual(deployer.calls.filter((c) => c.method === 'up'), [], 'no compose process');
  if (result.kind !== 'served') return;
  t.is(result.deployment.tags.get(WEB), 'demo/web:new');
  t.is(result.deployment.tags.get(API), 'demo/api:old');
  t.deepEqual(result.services.map((s) => [s.service, s.image]), [['web', 'demo/web:new']]);
});

test('redeploy: no running container → compose brings the service up', async (t) => {
  const { target, containers, deployer, calls, current, files } = setup();
  containers.onList = (self) => {
    if (deployer.calls.length > 0 && self.containers.length === 0) self.containers = [running('web')];
  };
  const result = await target.deployer.redeploy(plan, current, new Map([[WEB, 'demo/web:new']]), options());
  t.is(result.kind, 'served');
  t.deepEqual(calls, []);
  t.deepEqual(deployer.calls.map((c) => c.method), ['up']);
  t.regex(String(await files.read('.devpipe/stack/compose.yaml')), /demo\/web:new/);
});

test('redeploy: a new version that does not get ready is rolled back through compose', async (t) => {
  const { target, containers, deployer, current, files, calls } = setup();
  containers.containers = [running('web')];
  containers.onList = (self) => {
    // After the swap the new container exits at once.
    if (calls.length > 0) self.containers = [{ ...running('web'), state: 'exited', status: 'Exited (1) 1 second ago' }];
  };
  const result = await target.deployer.redeploy(plan, current, new Map([[WEB, 'demo/web:new']]), options());
  t.is(result.kind, 'rolled-back');
  if (result.kind !== 'rolled-back') return;
  t.regex(result.failure.message, /web.*stopped instead of becoming ready/);
  t.deepEqual(deployer.calls.map((c) => c.method), ['logs', 'up'], 'its logs read for the reason, then the previous image put back');
  const compose = String(await files.read('.devpipe/stack/compose.yaml'));
  t.regex(compose, /demo\/web:old/);
  t.notRegex(compose, /demo\/web:new/);
});

test('redeploy: a newer change during the readiness wait → superseded, the new version kept', async (t) => {
  const { target, containers, current } = setup();
  containers.containers = [{ ...running('web'), status: 'Up 1 second (health: starting)' }];
  const abort = new AbortController();
  const settling: string[][] = [];
  const pending = target.deployer.redeploy(plan, current, new Map([[WEB, 'demo/web:new']]), {
    signal: abort.signal,
    onSettling: (keys) => {
      settling.push([...keys]);
      if (keys.length > 0) setTimeout(() => abort.abort(), 20);
    },
  });
  const result = await pending;
  t.is(result.kind, 'superseded');
  t.deepEqual(settling, [[WEB], []]);
  if (result.kind === 'superseded') t.deepEqual(result.deployment, deploymentWith(plan, current, new Map([[WEB, 'demo/web:new']])));
});

test('redeploy: a failed fast swap falls back to compose (and says so)', async (t) => {
  const { target, containers, deployer, replacer, current } = setup();
  containers.containers = [running('web')];
  replacer.failing = true;
  const result = await target.deployer.redeploy(plan, current, new Map([[WEB, 'demo/web:new']]), options());
  t.is(result.kind, 'served');
  t.deepEqual(deployer.calls.map((c) => c.method), ['up']);
});

test('sync: into every running container of the service, restarted when asked; false when none runs', async (t) => {
  const { target, containers, calls } = setup();
  t.true(target.syncer.available);
  t.false(await target.syncer.sync('demo', 'web', [{ hostPath: '/p/www/a.html', containerPath: '/srv/app/www/a.html', uid: 0, gid: 0 }], true));
  t.deepEqual(calls, []);
  containers.containers = [running('web'), { ...running('web'), id: 'id-web-2' }];
  t.true(await target.syncer.sync('demo', 'web', [{ hostPath: '/p/www/a.html', containerPath: '/srv/app/www/a.html', uid: 0, gid: 0 }], true));
  t.true(await target.syncer.sync('demo', 'web', [{ hostPath: '/p/www/b.html', containerPath: '/srv/app/www/b.html', uid: 0, gid: 0 }], false));
  t.deepEqual(calls, ['put id-web /srv/app/www/a.html', 'restart id-web', 'put id-web-2 /srv/app/www/a.html', 'restart id-web-2', 'put id-web /srv/app/www/b.html', 'put id-web-2 /srv/app/www/b.html']);
});

test('unit tests: a container labelled with the project and role, removed after; its exit code', async (t) => {
  const { target, containers } = setup();
  containers.runResult = { exitCode: 3, lines: ['1 failing'] };
  const lines: string[] = [];
  const code = await target.suites.unitTests('demo', 'demo/test:abc', { signal: new AbortController().signal, onOutput: (line) => lines.push(line) });
  t.is(code, 3);
  t.deepEqual(lines, ['1 failing']);
  t.is(containers.runs[0]?.image, 'demo/test:abc');
  t.like(containers.runs[0]?.labels, { 'devpipe.project': 'demo', 'devpipe.role': 'test' });
  t.deepEqual(containers.removed, ['c1']);
});
