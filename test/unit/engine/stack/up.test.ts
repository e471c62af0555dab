import test from 'ava';
import type { CompiledImage } from '../../../../src/engine/build.js';
import { EventBus, type DevpipeEvent } from '../../../../src/engine/events.js';
import { runSuite, requireStackUp } from '../../../../src/engine/stack/e2e.js';
import { healthOf, waitHealthy } from '../../../../src/engine/stack/health.js';
import { downStack } from '../../../../src/engine/stack/manage.js';
import { stackModel } from '../../../../src/engine/stack/model.js';
import { buildStackImages, upStack, type StackPorts } from '../../../../src/engine/stack/up.js';
import { DevpipeError } from '../../../../src/errors.js';
import { FakeBuilder, FakeImages } from '../../../fakes/build.js';
import { container, FakeContainers, FakeDeployer, FakeResources, FakeScanner, MemoryFiles, stackConfig } from '../../../fakes/stack.js';

const config = stackConfig;

const text = `version: v1
settings: { health_timeout: 2s }
services:
  api: { build: production, secrets: [tok], healthcheck: { command: ["true"] } }
  web: { image: nginx:1, depends_on: [api], ports: [8080] }
e2e: { build: e2e, secrets: [tok], env: { URL: http://web:8080 } }
secrets: { tok: fake-tok-value }
`;

const compiled = (variant: string): CompiledImage => ({ variant, target: variant, dockerfile: `FROM x AS ${variant}\n`, buildkit: false, extraEntries: [], buildArgs: {}, baseImages: [] });
const secrets = [{ name: 'tok', value: 'fake-tok-value', source: 'devpipe.yaml' }];

function ports(): StackPorts & { containers: FakeContainers; deployer: FakeDeployer; scanner: FakeScanner; files: MemoryFiles; builder: FakeBuilder; resources: FakeResources; pods: { ensured: number; ensure(): Promise<void> } } {
  const images = new FakeImages();
  const pods = {
    ensured: 0,
    async ensure() {
      pods.ensured++;
    },
  };
  return { builder: new FakeBuilder(images), images, containers: new FakeContainers(), deployer: new FakeDeployer(), files: new MemoryFiles('/p'), scanner: new FakeScanner(), pods, resources: new FakeResources() };
}

function events(bus: EventBus): DevpipeEvent[] {
  const seen: DevpipeEvent[] = [];
  bus.subscribe((e) => seen.push(e));
  return seen;
}

test('health is read from the container status', (t) => {
  t.is(healthOf('Up 3 seconds (healthy)'), 'healthy');
  t.is(healthOf('Up 3 seconds (unhealthy)'), 'unhealthy');
  t.is(healthOf('Up 1 second (health: starting)'), 'starting');
  t.is(healthOf('Up 2 minutes'), 'none');
});

test('up: builds, scans, writes, deploys, waits; then reports URLs and images', async (t) => {
  const p = ports();
  p.containers.containers = [container('demo', 'api', 'running', 'Up (healthy)'), container('demo', 'web', 'running', 'Up 1 second')];
  const bus = new EventBus();
  const seen = events(bus);
  const summary = await upStack(p, bus, { config: config(text), builds: [{ key: '.pipeline/blubber.yaml#production', image: compiled('production') }], secrets, revision: 'r', pollMs: 1, settleMs: 0 });
  t.is(p.builder.builds.length, 1);
  t.is(p.pods.ensured, 1, 'api is built: its pod image is made to exist before the deploy');
  t.deepEqual(p.scanner.scanned, [summary.images[0]?.contentTag]);
  t.deepEqual(p.deployer.calls.map((c) => c.method), ['up']);
  t.deepEqual(p.deployer.calls[0]?.target, { project: 'demo', file: '/p/.devpipe/stack/compose.yaml', cwd: '/p', env: {} });
  t.is(p.files.files.get('.devpipe/secrets/tok')?.content, 'fake-tok-value');
  t.deepEqual(summary.services.map((s) => [s.name, s.kind, s.urls]), [['api', 'built', []], ['web', 'pinned', ['http://localhost:8080']]]);
  t.true(seen.some((e) => e.type === 'task:end' && e.id === 'health:api' && e.status === 'ok'));
});

test('up: a leak found by the scanner fails before anything is deployed', async (t) => {
  const p = ports();
  p.scanner.findings = { 'demo:production-': [] };
  p.scanner.scan = async (ref) => [{ secret: 'tok', where: 'layer', layer: '2/3 (abc)', path: `srv/${ref.length ? 'app/.env' : ''}` }];
  const error = await t.throwsAsync(upStack(p, new EventBus(), { config: config(text), builds: [{ key: '.pipeline/blubber.yaml#production', image: compiled('production') }], secrets, revision: 'r' }), { instanceOf: DevpipeError });
  t.regex(error?.message ?? '', /contains the value of secret "tok"/);
  t.deepEqual(error?.details, ['secret "tok" in layer 2/3 (abc) at /srv/app/.env']);
  t.deepEqual(p.deployer.calls, []);
});

test('up: the leak guard runs beside the deploy preparation, and nothing is deployed before its verdict', async (t) => {
  const p = ports();
  p.containers.containers = [container('demo', 'api', 'running', 'Up (healthy)'), container('demo', 'web', 'running', 'Up 1 second')];
  let finish: (findings: []) => void = () => undefined;
  let preparedWhileScanning = false;
  let deployedWhileScanning = false;
  let scanning = false;
  p.scanner.scan = () => {
    scanning = true;
    return new Promise((resolve) => {
      finish = (findings) => {
        preparedWhileScanning = p.files.files.has('.devpipe/stack/compose.yaml');
        deployedWhileScanning = p.deployer.calls.length > 0;
        scanning = false;
        resolve(findings);
      };
      // Let the preparation run to its end before the verdict.
      setTimeout(() => finish([]), 30);
    });
  };
  const origUp = p.deployer.up.bind(p.deployer);
  p.deployer.up = async (target) => {
    t.false(scanning, 'the deployer starts only after the verdict');
    return origUp(target);
  };
  await upStack(p, new EventBus(), { config: config(text), builds: [{ key: '.pipeline/blubber.yaml#production', image: compiled('production') }], secrets, revision: 'r', pollMs: 1, settleMs: 0 });
  t.true(preparedWhileScanning, 'the stack files were written while the scan ran');
  t.false(deployedWhileScanning);
  t.deepEqual(p.deployer.calls.map((c) => c.method), ['up']);
});

test('build: only the images secrets are mounted into are scanned when a list of keys is given', async (t) => {
  const p = ports();
  const builds = [
    { key: '.pipeline/blubber.yaml#production', image: compiled('production') },
    { key: '.pipeline/blubber.yaml#test', image: compiled('test') },
  ];
  const options = { project: 'demo', revision: 'r', fresh: false, concurrency: 2 };
  const built = await buildStackImages(p, new EventBus(), builds, secrets, { ...options, scan: ['.pipeline/blubber.yaml#production'] });
  t.deepEqual(p.scanner.scanned, [built.get('.pipeline/blubber.yaml#production')?.contentTag]);
  await buildStackImages(p, new EventBus(), builds, secrets, { ...options, scan: false });
  t.is(p.scanner.scanned.length, 1);
  await buildStackImages(p, new EventBus(), builds, secrets, options);
  t.is(p.scanner.scanned.length, 3, 'by default every image');
});

test('up: a deployer failure stops the wait at once and is reported as is (e.g. a port in use)', async (t) => {
  const p = ports();
  p.deployer.upError = new DevpipeError('environment', 'host port 8080 is already in use');
  const error = await t.throwsAsync(upStack(p, new EventBus(), { config: config(text), builds: [{ key: '.pipeline/blubber.yaml#production', image: compiled('production') }], secrets, revision: 'r', pollMs: 1, settleMs: 0 }), { instanceOf: DevpipeError });
  t.is(error?.message, 'host port 8080 is already in use');
  t.is(error?.exitCode, 3);
});

test('up: Compose giving up on an unhealthy dependency names the dependency, with its logs', async (t) => {
  const p = ports();
  p.containers.containers = [container('demo', 'api', 'running', 'Up (unhealthy)'), container('demo', 'web', 'created', 'Created')];
  p.deployer.logLines = { api: ['api: cannot start'] };
  p.deployer.upError = new DevpipeError('failure', 'container demo-api-1 did not become healthy, so the services depending on it were not started');
  const error = await t.throwsAsync(upStack(p, new EventBus(), { config: config(text), builds: [{ key: '.pipeline/blubber.yaml#production', image: compiled('production') }], secrets, revision: 'r', pollMs: 1, settleMs: 0 }), { instanceOf: DevpipeError });
  t.is(error?.message, 'service "api" did not become healthy (state: running, health: unhealthy)');
  t.deepEqual(error?.details, ['last log lines of api:', '  api: cannot start']);
});

test('waiting: a service that never gets healthy fails after the timeout, named, with its last log lines', async (t) => {
  const p = ports();
  p.containers.containers = [container('demo', 'api', 'running', 'Up (unhealthy)'), container('demo', 'web', 'running', 'Up')];
  p.deployer.logLines = { api: ['starting', 'cannot bind'] };
  let now = 0;
  const model = stackModel(config(text), new Map([['.pipeline/blubber.yaml#production', 'demo:p']]));
  const error = await t.throwsAsync(
    waitHealthy(p, new EventBus(), model, { project: 'demo', file: 'f', cwd: '/p' }, { timeoutMs: 2000, now: () => now, sleep: async () => void (now += 500) }),
    { instanceOf: DevpipeError },
  );
  t.is(error?.exitCode, 1);
  t.is(error?.message, 'service "api" did not become healthy within 2s (state: running, health: unhealthy)');
  t.deepEqual(error?.details, ['last log lines of api:', '  starting', '  cannot bind']);
  t.regex(error?.hint ?? '', /devpipe logs api/);
});

test('waiting: a service that exited fails at once', async (t) => {
  const p = ports();
  p.containers.containers = [container('demo', 'api', 'exited', 'Exited (1) 1 second ago'), container('demo', 'web', 'running', 'Up')];
  const model = stackModel(config(text));
  const error = await t.throwsAsync(waitHealthy(p, new EventBus(), model, { project: 'demo', file: 'f', cwd: '/p' }, { timeoutMs: 60_000, sleep: async () => undefined }));
  t.regex(error?.message ?? '', /service "api" stopped instead of becoming ready \(state: exited\)/);
});

test('waiting: an abort ends the wait at once (not at the next poll) and closes the open health tasks', async (t) => {
  const p = ports();
  p.containers.containers = [container('demo', 'api', 'running', 'Up (health: starting)'), container('demo', 'web', 'running', 'Up')];
  const model = stackModel(config(text));
  const bus = new EventBus();
  const seen = events(bus);
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 50);
  const error = await t.throwsAsync(waitHealthy(p, bus, model, { project: 'demo', file: 'f', cwd: '/p' }, { timeoutMs: 60_000, pollMs: 10_000, signal: controller.signal }));
  t.is(error?.message, 'interrupted while waiting for the services');
  t.true(Date.now() - started < 2000, `ended ${Date.now() - started} ms after the start, the poll interval is 10 s`);
  const ends = seen.filter((e) => e.type === 'task:end').map((e) => ('id' in e && 'status' in e ? `${e.id} ${e.status}` : ''));
  t.deepEqual(ends, ['health:api skipped', 'health:web skipped'], 'neither was ready yet (api starting, web settling)');
});

test('e2e: requires the stack up; runs on the stack network with secrets mounted; failure saves every log', async (t) => {
  const p = ports();
  const model = stackModel(config(text), new Map([['.pipeline/blubber.yaml#e2e', 'demo:e2e-1'], ['.pipeline/blubber.yaml#production', 'demo:p']]));
  const notUp = await t.throwsAsync(requireStackUp(p.containers, model), { instanceOf: DevpipeError });
  t.is(notUp?.exitCode, 2);
  t.regex(notUp?.hint ?? '', /devpipe e2e --up/);

  p.containers.containers = [container('demo', 'api', 'running', 'Up (healthy)'), container('demo', 'web', 'running', 'Up')];
  await requireStackUp(p.containers, model);
  p.containers.runResult = { exitCode: 3, lines: ['FAIL - something'] };
  p.deployer.logLines = { api: ['api log fake-tok-value'], web: ['web log'] };
  const bus = new EventBus();
  const seen = events(bus);
  const result = await runSuite(p, bus, model, { project: 'demo', file: 'f', cwd: '/p' }, { run: 'r1', secrets, redact: (s) => s.replaceAll('fake-tok-value', '[secret:tok]') });
  t.is(result.exitCode, 3);
  t.is(result.reportDir, '.devpipe/reports/r1');
  t.is(p.files.files.get('.devpipe/reports/r1/api.log')?.content, 'api log [secret:tok]\n');
  t.is(p.files.files.get('.devpipe/reports/r1/web.log')?.content, 'web log\n');
  const request = p.containers.runs[0];
  t.like(request, { image: 'demo:e2e-1', network: 'devpipe-demo', env: { URL: 'http://web:8080' } });
  t.deepEqual(request?.binds, [{ host: '/p/.devpipe/secrets/tok', container: '/run/secrets/tok' }]);
  t.like(request?.labels, { 'devpipe.project': 'demo', 'devpipe.service': 'e2e', 'devpipe.role': 'e2e', 'devpipe.run': 'r1' });
  t.true(seen.some((e) => e.type === 'task:log' && e.line === 'FAIL - something'));
  t.deepEqual(p.containers.removed, ['c1']);
});

test('down: the deployer first, then a label sweep of leftovers (an interrupted e2e container)', async (t) => {
  const p = ports();
  p.containers.containers = [container('demo', 'e2e', 'running', 'Up', 'e2e'), { ...container('demo', 'x', 'exited', ''), labels: { 'devpipe.project': 'demo' } }];
  const result = await downStack(p, new EventBus(), 'demo', { project: 'demo', file: 'f', cwd: '/p' }, { volumes: false });
  t.deepEqual(p.deployer.calls.map((c) => [c.method, c.options]), [['down', { volumes: false }]]);
  t.deepEqual(result.swept, ['demo-e2e-1']);
  t.deepEqual(p.containers.removed, ['demo-e2e'], 'a container without devpipe.service (e.g. from devpipe ci) is not touched');
});

test('down sweeps the unit-test containers dev left (role test), not a ci run\'s', async (t) => {
  const p = ports();
  p.containers.containers = [
    { ...container('demo', 'x', 'running', 'Up'), id: 'unit', name: 'unit', labels: { 'devpipe.project': 'demo', 'devpipe.role': 'test' } },
    { ...container('demo', 'y', 'exited', ''), id: 'ci', name: 'ci', labels: { 'devpipe.project': 'demo', 'devpipe.role': 'test', 'devpipe.run': 'r1' } },
  ];
  const result = await downStack(p, new EventBus(), 'demo', undefined, { volumes: false });
  t.deepEqual(result.swept, ['unit']);
  t.deepEqual(p.containers.removed, ['unit']);
});

test('down without a rendered file still removes the project\'s volumes (by label) with --volumes, and its networks', async (t) => {
  const p = ports();
  p.resources.volumeLabels.set('demo_data', { 'com.docker.compose.project': 'demo' });
  p.resources.volumeLabels.set('other_data', { 'com.docker.compose.project': 'other' });
  p.resources.networkLabels.set('demo_default', { 'devpipe.project': 'demo' });
  const result = await downStack(p, new EventBus(), 'demo', undefined, { volumes: true });
  t.deepEqual(result.volumes, ['demo_data']);
  t.deepEqual(p.resources.removed.sort(), ['network demo_default', 'volume demo_data']);
  t.deepEqual([...p.resources.volumeLabels.keys()], ['other_data']);
});

test('down: a deployer that refuses the rendered file does not stop the label sweep', async (t) => {
  const p = ports();
  p.deployer.down = async () => {
    throw new DevpipeError('failure', 'compose down failed (exit 15): services.web.ports contains an invalid type');
  };
  p.containers.containers = [container('demo', 'web', 'running', 'Up')];
  const seen: DevpipeEvent[] = [];
  const bus = new EventBus();
  bus.subscribe((e) => seen.push(e));
  const result = await downStack(p, bus, 'demo', { project: 'demo', file: 'f', cwd: '/p' }, { volumes: false });
  t.regex(result.deployerFailed ?? '', /invalid type/);
  t.deepEqual(p.containers.removed, ['demo-web']);
  t.true(seen.some((e) => e.type === 'message' && /removing everything labelled demo instead/.test(e.text)));
});

test('waiting: the health clock of a service starts when Compose has created its container; creation is bounded too', async (t) => {
  const p = ports();
  let now = 0;
  const model = stackModel(config(text), new Map([['.pipeline/blubber.yaml#production', 'demo:p']]));
  // Compose (on a loaded machine) creates api only at 5 s, past the 2 s health timeout; it is healthy at 6 s.
  const clock = { now: () => now, sleep: async () => void (now += 500) };
  const states = () => {
    if (now < 5000) return [container('demo', 'web', 'running', 'Up')];
    return [container('demo', 'api', 'running', now < 6000 ? 'Up (health: starting)' : 'Up (healthy)'), container('demo', 'web', 'running', 'Up')];
  };
  Object.defineProperty(p.containers, 'containers', { get: states, set: () => undefined, configurable: true });
  const ready = await waitHealthy(p, new EventBus(), model, { project: 'demo', file: 'f', cwd: '/p' }, { timeoutMs: 2000, settleMs: 0, ...clock });
  t.true(ready.every((s) => s.ready));
  t.true(now >= 6000);
  // Never created: reported as such once the creation grace (at least 30 s) is over, not as unhealthy.
  now = 0;
  Object.defineProperty(p.containers, 'containers', { get: () => [container('demo', 'web', 'running', 'Up')], set: () => undefined, configurable: true });
  const error = await t.throwsAsync(waitHealthy(p, new EventBus(), model, { project: 'demo', file: 'f', cwd: '/p' }, { timeoutMs: 2000, settleMs: 0, ...clock }));
  t.regex(error?.message ?? '', /service "api" was not created within 32s \(state: missing\)/);
  t.true(now >= 32_000);
});
