/** doctor --target minikube: the kube context and image-delivery checks (issue #7). */
import test from 'ava';
import { assess, type DoctorFacts } from '../../../../src/engine/doctor.js';

const engineUp: DoctorFacts['engine'] = { ok: true, info: { foundVia: 'socket', serverVersion: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', buildkit: true } };

function facts(overrides: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    engine: engineUp,
    dockerCli: { present: true },
    composeV2: { present: true },
    composeV1: { present: false },
    minikube: { present: true, running: true, version: 'v1.34.0', runtime: 'docker', profile: 'minikube' },
    kubectl: { present: true, version: 'v1.32.4', contexts: ['minikube', 'prod'], expected: 'minikube' },
    helm: { present: true, version: 'v3.14.4' },
    node: { version: '20.20.2' },
    debian: true,
    ...overrides,
  };
}

const cases: [string, Partial<DoctorFacts>, boolean, string[], RegExp | undefined][] = [
  ['running, docker runtime, context present → ready', {}, true, [], undefined],
  ['context missing → exit 3, minikube start writes it', { kubectl: { present: true, contexts: ['prod'], expected: 'minikube' } }, false, ['kube context'], /minikube start/],
  ['--allow-context naming an unknown context → pick one', { kubectl: { present: true, contexts: ['prod'], expected: 'staging' } }, false, ['kube context'], /--allow-context NAME/],
  ['containerd runtime with an engine here → image load, ready', { minikube: { present: true, running: true, runtime: 'containerd' } }, true, [], undefined],
  ['containerd runtime and no engine → cannot deliver images', { engine: { ok: false, error: 'ENOENT' }, minikube: { present: true, running: true, runtime: 'containerd' } }, false, ['image delivery'], /--container-runtime=docker/],
  ['minikube stopped → minikube start', { minikube: { present: true, running: false, status: 'host Stopped' } }, false, ['minikube'], /minikube start/],
];
for (const [name, overrides, ok, missing, fix] of cases) {
  test(`doctor --target minikube: ${name}`, (t) => {
    const report = assess(facts(overrides), 'minikube');
    t.is(report.ok, ok);
    t.deepEqual(report.checks.filter((c) => c.required && c.status !== 'ok').map((c) => c.name), missing);
    if (fix) t.regex(report.checks.find((c) => c.name === missing[0])?.fix ?? '', fix);
  });
}

test('the compose target does not check kube contexts or image delivery', (t) => {
  const report = assess(facts({ kubectl: { present: true, contexts: [], expected: 'minikube' } }), 'compose');
  t.false(report.checks.some((c) => c.name === 'kube context' || c.name === 'image delivery'));
});
