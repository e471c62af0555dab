/**
 * Every Kubernetes object devpipe generates is valid against Kubernetes' OpenAPI schema
 * (kubernetes-models validates an object by its apiVersion/kind), and every name and label is
 * one the API server accepts (DNS-1123 names, label keys and values) — checks the schema alone
 * does not make. Stacks: the demo fixture, every test fixture stack, and one that uses every
 * feature the renderer knows (env and file secrets, named volumes, bind mounts, published ports,
 * health checks, the e2e Job).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import test from 'ava';
import { readBuiltinProfiles } from '../../../../src/host/profiles.js';
import { renderStack, suiteJob, type Manifest } from '../../../../src/engine/kube/manifests.js';
import { stackModel } from '../../../../src/engine/stack/model.js';
import { loadStack, type StackConfig } from '../../../../src/spec/stack/index.js';
import { repoRoot } from '../../../helpers/cli.js';

const require = createRequire(import.meta.url);

/** The kubernetes-models class for an object: `kubernetes-models/<group>/<version>/<Kind>`. */
function modelClass(object: Manifest): new (data: unknown) => { validate(): void } {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  const modulePath = ['kubernetes-models', group, version, object.kind].filter(Boolean).join('/');
  const exported = require(modulePath) as Record<string, new (data: unknown) => { validate(): void }>;
  const cls = exported[object.kind];
  if (!cls) throw new Error(`no model for ${object.apiVersion} ${object.kind}`);
  return cls;
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** What the API server checks beyond the OpenAPI schema, for the fields devpipe sets. */
function apiServerProblems(object: Manifest): string[] {
  const problems: string[] = [];
  const where = `${object.kind}/${object.metadata.name}`;
  const name = object.metadata.name;
  const nameRule = ['Namespace', 'Service'].includes(object.kind) ? dns1123Label : dns1123Subdomain;
  if (!nameRule.test(name) || name.length > (object.kind === 'Service' || object.kind === 'Namespace' ? 63 : 253)) problems.push(`${where}: invalid name`);
  const labelSets: Record<string, string>[] = [object.metadata.labels];
  const template = (object as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec?.template?.metadata?.labels;
  if (template) labelSets.push(template);
  for (const labels of labelSets) {
    for (const [key, value] of Object.entries(labels)) {
      const [prefix, keyName] = key.includes('/') ? key.split('/', 2) : [undefined, key];
      if (prefix !== undefined && !dns1123Subdomain.test(prefix)) problems.push(`${where}: label key prefix ${key}`);
      if (!keyName || keyName.length > 63 || !labelName.test(keyName)) problems.push(`${where}: label key ${key}`);
      if (value.length > 63 || (value !== '' && !labelName.test(value))) problems.push(`${where}: label value ${key}=${value}`);
    }
  }
  const pod = (object as { spec?: { template?: { spec?: { containers?: { name: string; ports?: { name?: string }[] }[]; volumes?: { name: string }[] } } } }).spec?.template?.spec;
  for (const container of pod?.containers ?? []) {
    if (!dns1123Label.test(container.name)) problems.push(`${where}: container name ${container.name}`);
    for (const port of container.ports ?? []) if (port.name && (port.name.length > 15 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(port.name))) problems.push(`${where}: port name ${port.name}`);
  }
  for (const volume of pod?.volumes ?? []) if (!dns1123Label.test(volume.name)) problems.push(`${where}: volume name ${volume.name}`);
  return problems;
}

function validate(objects: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    try {
      new (modelClass(object))(object).validate();
    } catch (error) {
      problems.push(`${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
    }
    problems.push(...apiServerProblems(object));
  }
  return problems;
}

async function load(text: string, directoryName: string): Promise<StackConfig> {
  const result = loadStack(text, `${directoryName}/.pipeline/devpipe.yaml`, { directoryName, profile: 'minikube', builtins: await readBuiltinProfiles() });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

/** Renders a stack as `up --target minikube` does, with every build given a content tag. */
function render(config: StackConfig) {
  const built = new Map<string, string>();
  for (const service of [...config.services, ...(config.e2e ? [config.e2e] : [])]) {
    const image = (service as { image?: { kind: string; blubber?: string; variant?: string } }).image;
    if (image?.kind === 'build') built.set(`${image.blubber}#${image.variant}`, `${config.project}:${image.variant}-0123456789ab`);
  }
  const model = stackModel(config, built);
  const secretValues = new Map(model.secrets.map((name) => [name, `fake-${name}`]));
  const boundFiles = new Map(model.services.map((s) => [s.name, new Map(s.volumes.filter((v) => v.kind === 'bind').map((v) => [(v as { host: string }).host, [{ path: 'index.html', content: 'hi\n', binary: false, mode: 0o644 }]]))]));
  const { objects } = renderStack(model, { namespace: `devpipe-${config.project}`, secretValues, boundFiles });
  if (model.suite) objects.push(suiteJob(model, model.suite, `devpipe-${config.project}`, '20260101-000000-ab12'));
  return objects;
}

const everyFeature = `
version: v1
project: every-feature
services:
  api:
    build: { variant: production, blubber: .pipeline/blubber.yaml }
    secrets: [api_token, { name: db_password, env: DB_PASSWORD, file: true }]
    env: { MODE: staging, RETRIES: 3, DEBUG: false }
    ports: [8080, "18081:9090", { container: 7000, host: 17000 }]
    healthcheck: { command: [/bin/true], interval: 2s, timeout: 1s, retries: 3, start_period: 5s }
    volumes:
      - { name: cache, path: /var/cache/api }
      - { host: ./config, path: /etc/api, read_only: true }
  db-proxy:
    image: busybox:stable
    command: [/bin/busybox, httpd, -f]
    args: ["-p", "5432"]
    depends_on: [api]
    volumes: [{ name: cache, path: /cache }]
e2e:
  build: e2e
  env: { TARGET: http://api:8080 }
  secrets: [api_token]
  timeout: 90s
secrets:
  api_token: { fake: fake-token-value }
  db_password: { fake: fake-db-password }
`;

const fixtureStacks = [
  { label: 'fixtures/staging-copy', file: 'fixtures/staging-copy/.pipeline/devpipe.yaml', directoryName: 'staging-copy' },
  { label: 'test/fixtures/dev-web', file: 'test/fixtures/dev-web/.pipeline/devpipe.yaml', directoryName: 'dev-web' },
];

for (const stack of fixtureStacks) {
  test(`${stack.label}: every generated object is valid for Kubernetes`, async (t) => {
    const objects = render(await load(await readFile(path.join(repoRoot, stack.file), 'utf8'), stack.directoryName));
    t.true(objects.length > 1);
    t.deepEqual(validate(objects), []);
  });
}

test('a stack using every feature: every generated object is valid for Kubernetes', async (t) => {
  const objects = render(await load(everyFeature, 'every-feature'));
  t.deepEqual([...new Set(objects.map((o) => o.kind))].sort(), ['ConfigMap', 'Deployment', 'Job', 'Namespace', 'PersistentVolumeClaim', 'Secret', 'Service']);
  t.deepEqual(validate(objects), []);
});

test('the validator catches what the API server would refuse (it can fail)', async (t) => {
  const objects = render(await load(everyFeature, 'every-feature'));
  const deployment = structuredClone(objects.find((o) => o.kind === 'Deployment')!) as Manifest & { spec: { template: { spec: { containers: { image: unknown; ports?: { containerPort: unknown }[] }[] } } } };
  deployment.spec.template.spec.containers[0]!.image = 42;
  t.regex(validate([deployment]).join('\n'), /image must be string/);
  const badLabel = structuredClone(objects[0]!);
  badLabel.metadata.labels['devpipe.service'] = 'api.pod/x';
  t.regex(validate([badLabel]).join('\n'), /label value devpipe.service/);
  const badName = structuredClone(objects[0]!);
  badName.metadata.name = 'Upper_Case';
  t.regex(validate([badName]).join('\n'), /invalid name/);
});
