/** The importer's pure pieces: layering semantics, image naming, variants, listeners, diff. */
import test from 'ava';
import { unifiedDiff } from '../../../../src/engine/staging/diff.js';
import { readHelmfile } from '../../../../src/engine/staging/helmfile.js';
import { normalizeImageName, pinnedRef, projectFromRemote, variantFor } from '../../../../src/engine/staging/images.js';
import { layerValues, parseLayer, whereSet } from '../../../../src/engine/staging/layers.js';
import { fromListenerFile, inferListenerPort, upstreamService } from '../../../../src/engine/staging/listeners.js';
import { secretPaths } from '../../../../src/engine/staging/secrets.js';

test('helm merge: maps deep, lists replaced, null deletes; provenance names file:line', (t) => {
  const a = parseLayer('a', 'a.yaml', 'm:\n  x: 1\n  y: [1, 2]\n  certs:\n    kask: {cert: c}\n');
  const b = parseLayer('b', 'b.yaml', 'm:\n  y: [3]\n  certs:\n    kask: ~\n  z: 2\n');
  const { values, provenance } = layerValues([a, b]);
  t.deepEqual(values, { m: { x: 1, y: [3], certs: {}, z: 2 } });
  t.is(whereSet(provenance, ['m', 'x']), 'a.yaml:2');
  t.is(whereSet(provenance, ['m', 'y', 0]), 'b.yaml:2');
  t.regex(whereSet(provenance, ['m', 'certs', 'kask']) ?? '', /^b\.yaml:4 \(null: deleted\)/);
});

test('a values file that is not a mapping is an error naming the file', (t) => {
  t.regex(parseLayer('x', 'v.yaml', '- a\n- b\n').error ?? '', /v\.yaml: expected a mapping/);
  t.regex(parseLayer('x', 'v.yaml', 'a: [\n').error ?? '', /^v\.yaml:\d+: /);
});

test('helmfile: releases of the environment, chart, namespace, values order with the release placeholder', (t) => {
  const hf = readHelmfile('environments:\n  staging:\n    values:\n      - releases: [main, test]\n---\ntemplates:\n  default: &d\n    namespace: ex\n    chart: wmf-stable/thing\n    values:\n      - "values.yaml"\n      - "values-{{ .Environment.Name }}.yaml"\n      - "values-{{`{{ .Release.Name }}`}}.yaml"\nreleases:\n  - name: main\n    <<: *d\n', 'staging');
  t.deepEqual(hf.releases, ['main', 'test']);
  t.is(hf.chart, 'wmf-stable/thing');
  t.is(hf.namespace, 'ex');
  t.deepEqual(hf.values, ['values.yaml', 'values-staging.yaml', 'values-__DEVPIPE_RELEASE__.yaml']);
});

const names: [string, string][] = [
  ['repos/mediawiki/services/kask', 'mediawiki-services-kask'],
  ['wikimedia/mediawiki-services-kask', 'mediawiki-services-kask'],
  ['repos/data-engineering/eventgate-wikimedia', 'data-engineering-eventgate-wikimedia'],
];
for (const [input, expected] of names) test(`image name ${input} → ${expected}`, (t) => t.is(normalizeImageName(input), expected));

test('pinned refs: the chart default registry, or the host inside main_app.image', (t) => {
  t.is(pinnedRef({ main_app: { image: 'a/b', version: '1' }, docker: { registry: 'internal' } }, { docker: { registry: 'public.org' } }).ref, 'public.org/a/b:1');
  t.is(pinnedRef({ main_app: { image: 'reg.org/a/b', version: '1' } }, { docker: { registry: 'public.org' } }).ref, 'reg.org/a/b:1');
});

test('variants: timestamped stage names, dash prefixes, git tags, fallbacks with a note', (t) => {
  const pipelines = { publish: { stages: [{ name: 'production', build: 'prod-variant', publish: { image: { tags: ['${setup.tag}'] } } }] } };
  t.is(variantFor('2026-01-01-000000-production', pipelines).variant, 'prod-variant');
  t.is(variantFor('2026-01-01-000000-production-restbase-sunset', pipelines).variant, 'prod-variant');
  t.is(variantFor('v1.0.19', pipelines).variant, 'prod-variant');
  t.truthy(variantFor('2026-01-01-000000-other', pipelines).note);
  t.truthy(variantFor('v1', undefined).note);
  t.is(projectFromRemote('[remote "origin"]\n\turl = https://gerrit.wikimedia.org/r/mediawiki/services/kask.git\n'), 'mediawiki/services/kask');
});

test('listeners: puppet list, upstream services, inference only from one unambiguous value', (t) => {
  const defs = fromListenerFile({ 'profile::services_proxy::envoy::listeners': [{ name: 'mw', port: 6500, service: 'mw-api-int', upstream: 'mw-api-int-ro.discovery.wmnet' }] }, 'p');
  t.deepEqual(defs.map((d) => [d.name, d.port, d.host]), [['mw', 6500, 'mw-api-int-ro.discovery.wmnet']]);
  t.deepEqual(upstreamService(defs[0] ?? { name: '', port: 0, from: '' }), ['mw-api-int', 'mw-api-int-ro']);
  t.deepEqual(inferListenerPort('linked-artifacts', { main_app: { linked_artifacts_uri: 'http://localhost:6074/x' } }), { port: 6074, key: 'main_app.linked_artifacts_uri' });
  t.is(inferListenerPort('a-b', { x: { a_b_uri: 'http://localhost:1/' }, y: { a_b_url: 'http://127.0.0.1:2/' } }), undefined);
});

test('secret paths: private slot, keys named like secrets, placeholders, .fixtures.yaml; never the mesh certs', (t) => {
  const paths = secretPaths(
    { config: { private: { DB_PASSWORD: 'snakeoil' }, public: { DB_USER: 'u' } }, main_app: { cassandra: { authentication: { password: 'cassandra' } }, token_file: '/x' }, mesh: { certs: { cert: 'snakeoil' } }, other: 'foobarbaz' },
    { main_app: { certs: { kask: { key: 'snakeoil' } } } },
  ).map((p) => p.path.join('.'));
  t.deepEqual(paths.sort(), ['config.private.DB_PASSWORD', 'main_app.cassandra.authentication.password', 'main_app.certs.kask.key', 'other']);
});

test('unified diff: hunks with context; empty when equal', (t) => {
  t.is(unifiedDiff('a\nb\n', 'a\nb\n', ['x', 'y']), '');
  const diff = unifiedDiff('1\n2\n3\n4\n5\n6\n7\n8\n', '1\n2\n3\n4\nfive\n6\n7\n8\n', ['old', 'new']);
  t.is(diff, '--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n');
});
