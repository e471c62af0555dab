import test from 'ava';
import { ComposeDeployer, detectCompose, MissingCompose, stripAnsi } from '../../../src/compose/compose.js';
import { matchComposeProblem } from '../../../src/compose/problems.js';
import { DevpipeError } from '../../../src/errors.js';
import { failed, line, ok, RecordingProcessRunner } from '../../fakes/process.js';

const target = { project: 'demo', file: '/p/.devpipe/stack/compose.yaml', cwd: '/p' };

test('detection: v2 when `docker compose` runs', async (t) => {
  const proc = new RecordingProcessRunner([{ match: line('docker', 'compose', 'version'), result: ok('v2.26.1') }]);
  t.deepEqual(await detectCompose(proc), { command: 'docker', prefix: ['compose'], version: '2.26.1', major: 2 });
});

test('detection: v1 when only docker-compose runs', async (t) => {
  const proc = new RecordingProcessRunner([
    { match: line('docker', 'compose'), result: failed("docker: 'compose' is not a docker command.") },
    { match: line('docker-compose', 'version'), result: ok('1.29.2') },
  ]);
  t.deepEqual(await detectCompose(proc), { command: 'docker-compose', prefix: [], version: '1.29.2', major: 1 });
});

test('detection: neither → undefined; MissingCompose throws exit 3 with the fix', async (t) => {
  t.is(await detectCompose(new RecordingProcessRunner()), undefined);
  const error = await t.throwsAsync(new MissingCompose().up(), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 3);
  t.regex(error?.message ?? '', /Docker Compose is not installed/);
  t.regex(error?.hint ?? '', /provision-debian\.sh.*docs\.docker\.com\/compose\/install/);
});

for (const major of [1, 2] as const) {
  test(`every call carries -p and -f (Compose v${major})`, async (t) => {
    const proc = new RecordingProcessRunner([{ match: () => true, result: ok() }]);
    const flavour = major === 2 ? { command: 'docker', prefix: ['compose'], version: '2.26.1', major } : { command: 'docker-compose', prefix: [], version: '1.29.2', major };
    const compose = new ComposeDeployer(proc, flavour);
    await compose.up(target);
    await compose.logs(target, { services: ['api'], tail: 5, onLine: () => undefined });
    await compose.down(target, { volumes: true });
    const pre = major === 2 ? ['compose'] : [];
    t.deepEqual(
      proc.calls.map((c) => [c.command, ...c.args].join(' ')),
      [
        `${flavour.command} ${[...pre, '-p', 'demo', '-f', target.file, 'up', '-d', '--remove-orphans', '--no-build', ...(major === 2 ? ['--pull', 'missing', '--quiet-pull'] : [])].join(' ')}`,
        `${flavour.command} ${[...pre, '-p', 'demo', '-f', target.file, 'logs', '--no-color', '--tail', '5', 'api'].join(' ')}`,
        `${flavour.command} ${[...pre, '-p', 'demo', '-f', target.file, 'down', '--remove-orphans', '--timeout', '2', '--volumes'].join(' ')}`,
      ],
    );
    t.true(proc.calls.every((c) => c.cwd === '/p'));
  });
}

const problem = test.macro({
  exec(t, stderr: string, exitCode: number, message: RegExp, hint: RegExp) {
    const error = matchComposeProblem(stderr, ['evidence']);
    t.truthy(error);
    t.is(error?.exitCode, exitCode);
    t.regex(error?.message ?? '', message);
    t.regex(error?.hint ?? '', hint);
    t.deepEqual(error?.details, ['evidence']);
  },
  title: (title = '') => `known failure: ${title}`,
});

test('port allocated (v2)', problem, 'Error response from daemon: driver failed programming external connectivity on endpoint demo-web-1: Bind for 0.0.0.0:18080 failed: port is already allocated', 3, /host port 18080 is already in use/, /ss -ltnp \| grep 18080/);
test('port in use by a host process', problem, 'Error starting userland proxy: listen tcp4 0.0.0.0:18081: bind: address already in use', 3, /host port 18081 is already in use/, /HOST:CONTAINER/);
test('engine down (v1)', problem, "Couldn't connect to Docker daemon at http+docker://localhost - is it running?", 3, /cannot reach the Docker engine/, /DOCKER_HOST/);
test('unhealthy dependency (v2)', problem, 'dependency failed to start: container demo-api-1 is unhealthy', 1, /container demo-api-1 did not become healthy/, /devpipe logs/);
test('pinned image missing offline', problem, 'Error response from daemon: pull access denied for staging/thing, repository does not exist or may require', 1, /image staging\/thing is not present locally/, /docker load/);

test('an unknown failure keeps the command line and the stderr tail', async (t) => {
  const proc = new RecordingProcessRunner([{ match: () => true, result: failed('something odd\nreally odd', 17) }]);
  const compose = new ComposeDeployer(proc, { command: 'docker', prefix: ['compose'], version: '2', major: 2 });
  const error = await t.throwsAsync(compose.up(target), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 1);
  t.regex(error?.message ?? '', /compose up failed \(exit 17\): something odd/);
  t.is(error?.details[0], `$ docker compose -p demo -f ${target.file} up -d --remove-orphans --no-build --pull missing --quiet-pull`);
});

test('log lines lose terminal control sequences', (t) => {
  t.is(stripAnsi('\x1b[2Kapi-1  | hello'), 'api-1  | hello');
});
