/* eslint-disable @typescript-eslint/no-explicit-any -- manifests and kubectl JSON are plain trees read by deep path here */
import test from 'ava';
import { stringify } from 'yaml';
import { renderStack, suiteJob, configMapKey, jobName, type Manifest } from '../../../../src/engine/kube/manifests.js';
import { checkServiceNames, namespaceOf, kubeLabels } from '../../../../src/engine/kube/names.js';
import { stackModel } from '../../../../src/engine/stack/model.js';
import { DevpipeError } from '../../../../src/errors.js';
import { builtRefs, fixtureConfig } from './helpers.js';

const secretValues = new Map([['api_token', 'fake-token-for-local-staging']]);
const boundFiles = new Map([['gateway', new Map([['./gateway', [
  { path: 'index.html', content: '<p>gateway</p>\n', binary: false, mode: 0o644 },
  { path: 'cgi-bin/api', content: '#!/bin/sh\necho hi\n', binary: false, mode: 0o755 },
]]])]]);

async function rendered() {
  const model = stackModel(await fixtureConfig(), builtRefs);
  return { model, ...renderStack(model, { namespace: 'devpipe-staging-copy', secretValues, boundFiles }) };
}

const find = (objects: Manifest[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name) as any;

test('fixtures/staging-copy renders to these objects (snapshot)', async (t) => {
  const { objects, warnings } = await rendered();
  t.deepEqual(warnings, []);
  t.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`), [
    'Namespace/devpipe-staging-copy',
    'Secret/devpipe-secrets',
    'Deployment/api',
    'Service/api',
    'ConfigMap/gateway-files-0',
    'Deployment/gateway',
    'Service/gateway',
    'Service/gateway-published',
  ]);
  t.snapshot(objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
});

test('every object carries the project label and managed-by; namespaced ones are in the project namespace', async (t) => {
  const { objects } = await rendered();
  for (const o of objects) {
    t.is(o.metadata.labels['devpipe.project'], 'staging-copy', `${o.kind}/${o.metadata.name}`);
    t.is(o.metadata.labels['app.kubernetes.io/managed-by'], 'devpipe');
    if (o.kind !== 'Namespace') t.is(o.metadata.namespace, 'devpipe-staging-copy');
  }
  for (const name of ['api', 'gateway']) t.is(find(objects, 'Deployment', name).metadata.labels['devpipe.service'], name);
});

test('images by immutable content tag, IfNotPresent (or Never)', async (t) => {
  const { objects } = await rendered();
  const api = find(objects, 'Deployment', 'api').spec.template.spec.containers[0];
  t.is(api.image, 'staging-copy:production-0123456789ab');
  t.is(api.imagePullPolicy, 'IfNotPresent');
  const model = stackModel(await fixtureConfig(), builtRefs);
  const never = renderStack(model, { namespace: 'n', secretValues, boundFiles, pullPolicy: 'Never' });
  t.is(find(never.objects, 'Deployment', 'api').spec.template.spec.containers[0].imagePullPolicy, 'Never');
});

test('the fake secret: one Secret (base64), mounted read-only at /run/secrets/<name> with only the keys a service uses', async (t) => {
  const { objects } = await rendered();
  t.deepEqual(find(objects, 'Secret', 'devpipe-secrets').data, { api_token: Buffer.from('fake-token-for-local-staging').toString('base64') });
  const pod = find(objects, 'Deployment', 'api').spec.template.spec;
  t.deepEqual(pod.containers[0].volumeMounts, [{ name: 'devpipe-secrets', mountPath: '/run/secrets', readOnly: true }]);
  t.deepEqual(pod.volumes[0], { name: 'devpipe-secrets', secret: { secretName: 'devpipe-secrets', defaultMode: 0o444, items: [{ key: 'api_token', path: 'api_token' }] } });
  t.is(find(objects, 'Deployment', 'gateway').spec.template.spec.containers[0].volumeMounts.length, 1, 'gateway asked for no secret');
});

test('a secret asked for as env comes through secretKeyRef, never as a literal value', async (t) => {
  const config = await fixtureConfig();
  const api = config.services.find((s) => s.name === 'api')!;
  api.secrets = [{ name: 'api_token', file: false, env: 'API_TOKEN' }];
  const { objects } = renderStack(stackModel(config, builtRefs), { namespace: 'n', secretValues, boundFiles });
  const container = find(objects, 'Deployment', 'api').spec.template.spec.containers[0];
  t.deepEqual(container.env.at(-1), { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'devpipe-secrets', key: 'api_token' } } });
  t.is(container.volumeMounts, undefined);
  t.false(JSON.stringify(find(objects, 'Deployment', 'api')).includes('fake-token-for-local-staging'));
});

test('a secret value change rolls the pods (checksum annotation), values themselves never in the Deployment', async (t) => {
  const model = stackModel(await fixtureConfig(), builtRefs);
  const a = find(renderStack(model, { namespace: 'n', secretValues, boundFiles }).objects, 'Deployment', 'api');
  const b = find(renderStack(model, { namespace: 'n', secretValues: new Map([['api_token', 'other-value']]), boundFiles }).objects, 'Deployment', 'api');
  t.not(a.spec.template.metadata.annotations['devpipe.checksum'], b.spec.template.metadata.annotations['devpipe.checksum']);
});

test('services: headless by name (every port, as on the compose network); published ports on a NodePort service', async (t) => {
  const { objects } = await rendered();
  t.deepEqual(find(objects, 'Service', 'api').spec, { clusterIP: 'None', selector: { 'devpipe.project': 'staging-copy', 'devpipe.service': 'api' } });
  const published = find(objects, 'Service', 'gateway-published');
  t.is(published.spec.type, 'NodePort');
  t.deepEqual(published.spec.ports, [{ name: 'p8080', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
  t.is(published.metadata.annotations['devpipe.host-ports'], '18080:8080');
});

test('healthcheck → readiness probe (exec), enableServiceLinks off, grace 2s', async (t) => {
  const { objects } = await rendered();
  const spec = find(objects, 'Deployment', 'api').spec.template.spec;
  t.deepEqual(spec.containers[0].readinessProbe, {
    exec: { command: ['/usr/local/bin/busybox', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/cgi-bin/health'] },
    periodSeconds: 1,
    timeoutSeconds: 3,
    failureThreshold: 20,
    initialDelaySeconds: 0,
  });
  t.false(spec.enableServiceLinks);
  t.is(spec.terminationGracePeriodSeconds, 2);
});

test('a bind-mounted project path becomes a ConfigMap (modes kept); read-write ones warn', async (t) => {
  const { objects } = await rendered();
  const volume = find(objects, 'Deployment', 'gateway').spec.template.spec.volumes.find((v: any) => v.configMap);
  t.deepEqual(volume.configMap.items, [
    { key: 'index.html', path: 'index.html', mode: 0o644 },
    { key: 'cgi-bin_api', path: 'cgi-bin/api', mode: 0o755 },
  ]);
  t.deepEqual(find(objects, 'ConfigMap', 'gateway-files-0').data, { 'index.html': '<p>gateway</p>\n', 'cgi-bin_api': '#!/bin/sh\necho hi\n' });
  const config = await fixtureConfig();
  const gateway = config.services.find((s) => s.name === 'gateway')!;
  gateway.volumes = [{ kind: 'bind', host: './gateway', path: '/srv/gateway', readOnly: false }, { kind: 'named', name: 'data', path: '/data', readOnly: false }];
  const result = renderStack(stackModel(config, builtRefs), { namespace: 'n', secretValues, boundFiles });
  t.regex(result.warnings[0] ?? '', /read-write under compose; on Kubernetes it is a read-only copy/);
  t.truthy(find(result.objects, 'PersistentVolumeClaim', 'data'));
});

test('configMapKey: valid, unique keys', (t) => {
  const taken = new Set<string>();
  t.is(configMapKey('a/b c.txt', taken), 'a_b_c.txt');
  t.is(configMapKey('a_b c.txt', taken), '_a_b_c.txt');
  t.is(configMapKey('.hidden', taken), '_hidden');
});

test('the e2e suite as a Job: no retries, deadline = suite timeout, run label, secrets mounted', async (t) => {
  const model = stackModel(await fixtureConfig(), builtRefs);
  const job = suiteJob(model, model.suite!, 'devpipe-staging-copy', '20261122T030000-ab12') as any;
  t.is(job.metadata.name, 'e2e-20261122t030000-ab12');
  t.is(job.spec.backoffLimit, 0);
  t.is(job.spec.activeDeadlineSeconds, 120);
  t.is(job.spec.template.spec.restartPolicy, 'Never');
  t.is(job.spec.template.metadata.labels['devpipe.run'], '20261122T030000-ab12');
  t.is(job.spec.template.metadata.labels['devpipe.role'], 'e2e');
  const c = job.spec.template.spec.containers[0];
  t.is(c.image, 'staging-copy:e2e-ba9876543210');
  t.deepEqual(c.env, [{ name: 'GATEWAY_URL', value: 'http://gateway:8080' }]);
  t.deepEqual(c.volumeMounts, [{ name: 'devpipe-secrets', mountPath: '/run/secrets', readOnly: true }]);
  t.is(jobName('X_Y'), 'e2e-x-y');
});

test('names: one namespace per project; label values made valid', (t) => {
  t.is(namespaceOf('staging-copy'), 'devpipe-staging-copy');
  t.is(namespaceOf('My_Project'), 'devpipe-my-project');
  t.is(namespaceOf('x'.repeat(80)).length, 63);
  t.deepEqual(kubeLabels({ a: 'b c', d: '_x_' }), { a: 'b-c', d: 'x', 'app.kubernetes.io/managed-by': 'devpipe' });
});

test('service names that cannot be Kubernetes names: exit 2 naming each, with a rename hint', (t) => {
  t.notThrows(() => checkServiceNames(['api', 'gateway-2'], 'devpipe.yaml'));
  const error = t.throws(() => checkServiceNames(['api', 'my_db', '2fa'], '.pipeline/devpipe.yaml'), { instanceOf: DevpipeError });
  t.is(error?.exitCode, 2);
  t.is(error?.message, 'service names "my_db", "2fa" cannot be used on Kubernetes');
  t.regex(error?.details[0] ?? '', /^\.pipeline\/devpipe\.yaml services\.my_db: a Kubernetes Service name/);
  t.regex(error?.hint ?? '', /rename my_db \(e\.g\. my-db\)/);
});

test('generated files and listeners are not silently dropped by generated manifests: a warning names them', async (t) => {
  const config = await fixtureConfig();
  const api = config.services.find((s) => s.name === 'api')!;
  api.files = [{ path: '/etc/api/config.yaml', content: 'a: 1\n', secrets: {} }];
  api.listeners = [{ name: 'dep', port: 6018, route: { kind: 'stub', note: '' } }];
  api.healthcheck = { command: [], http: { port: 8080, path: '/health' }, intervalMs: 1000, timeoutMs: 3000, retries: 3, startPeriodMs: 0 };
  const result = renderStack(stackModel(config, builtRefs), { namespace: 'n', secretValues, boundFiles });
  t.true(result.warnings.some((w) => /api: files \(\/etc\/api\/config\.yaml\) are not mounted by generated manifests/.test(w)));
  t.true(result.warnings.some((w) => /api: listeners \(dep localhost:6018\) are not served/.test(w)));
  t.deepEqual(find(result.objects, 'Deployment', 'api').spec.template.spec.containers[0].readinessProbe.httpGet, { path: '/health', port: 8080 });
});
