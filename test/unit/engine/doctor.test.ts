import test from 'ava';
import { assess, nodeSupported, type DoctorFacts } from '../../../src/engine/doctor.js';

const engineUp: DoctorFacts['engine'] = {
  ok: true,
  info: { foundVia: 'socket /var/run/docker.sock', serverVersion: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', buildkit: true },
};

function facts(overrides: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    engine: engineUp,
    dockerCli: { present: true, version: '28.2.2' },
    composeV2: { present: true, version: '2.26.1' },
    composeV1: { present: true, version: '1.29.2' },
    minikube: { present: false },
    kubectl: { present: true, version: 'v1.32.4' },
    helm: { present: false },
    node: { version: '20.20.2' },
    debian: true,
    ...overrides,
  };
}

const verdict = test.macro({
  exec(t, target: 'compose' | 'minikube', input: DoctorFacts, ok: boolean, missing: string[]) {
    const report = assess(input, target);
    t.is(report.ok, ok);
    const required = report.checks.filter((c) => c.required && c.status !== 'ok').map((c) => c.name);
    t.deepEqual(required, missing);
    for (const check of report.checks) if (check.status === 'missing' && check.required) t.truthy(check.fix, `${check.name} has a fix`);
  },
  title: (provided = '') => `doctor: ${provided}`,
});

test('this machine: engine and compose, no minikube → compose ok', verdict, 'compose', facts(), true, []);
test('same machine, minikube target → not ok, minikube missing', verdict, 'minikube', facts(), false, ['minikube']);
test('no engine → compose not ok', verdict, 'compose', facts({ engine: { ok: false, error: 'connect ENOENT' } }), false, ['docker engine']);
test('compose v1 alone is enough', verdict, 'compose', facts({ composeV2: { present: false } }), true, []);
test(
  'no compose at all → not ok',
  verdict,
  'compose',
  facts({ composeV2: { present: false }, composeV1: { present: false } }),
  false,
  ['compose'],
);
test(
  'minikube running with kubectl → minikube ok even without an engine',
  verdict,
  'minikube',
  facts({ engine: { ok: false, error: 'x' }, minikube: { present: true, running: true, version: 'v1.34.0', runtime: 'docker' } }),
  true,
  [],
);
test(
  'minikube stopped → fix says minikube start',
  verdict,
  'minikube',
  facts({ minikube: { present: true, running: false, status: 'host Stopped' } }),
  false,
  ['minikube'],
);
test('old node → not ok', verdict, 'compose', facts({ node: { version: '18.19.0' } }), false, ['node']);

test('the engine fix names the provisioning script on Debian only', (t) => {
  const down: DoctorFacts['engine'] = { ok: false, error: 'connect ENOENT /var/run/docker.sock' };
  const onDebian = assess(facts({ engine: down }), 'compose').checks.find((c) => c.name === 'docker engine');
  const elsewhere = assess(facts({ engine: down, debian: false }), 'compose').checks.find((c) => c.name === 'docker engine');
  t.regex(onDebian?.fix ?? '', /scripts\/provision-debian\.sh/);
  t.notRegex(elsewhere?.fix ?? '', /provision-debian/);
  t.regex(elsewhere?.fix ?? '', /docs\.docker\.com\/engine\/install/);
});

test('node version support starts at 20.19', (t) => {
  t.true(nodeSupported('20.19.0'));
  t.true(nodeSupported('v22.1.0'));
  t.false(nodeSupported('20.18.3'));
  t.false(nodeSupported('18.20.0'));
});
