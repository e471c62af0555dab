import test from 'ava';
import { aliasFor } from '../../../../src/spec/settings/index.js';
import { aliasPinnedImages, loadStack } from '../../../../src/spec/stack/index.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const aliases = {
  'docker-registry.wikimedia.org/nodejs20-slim': 'my/node20',
  'docker-registry.wikimedia.org/python3:0.0.2': 'my/python3:tagged',
  [`docker-registry.wikimedia.org/golang@${DIGEST}`]: 'my/go:digest',
  'docker.io/library/redis': 'my/redis',
  'busybox:stable': 'my/busybox',
};

const cases: [string, string | undefined][] = [
  ['docker-registry.wikimedia.org/nodejs20-slim', 'my/node20'],
  ['docker-registry.wikimedia.org/nodejs20-slim:0.0.1', 'my/node20'],
  [`docker-registry.wikimedia.org/nodejs20-slim@${DIGEST}`, 'my/node20'],
  [`docker-registry.wikimedia.org/nodejs20-slim:0.0.1@${DIGEST}`, 'my/node20'],
  ['docker-registry.wikimedia.org/python3:0.0.2', 'my/python3:tagged'],
  // A pinned tag with a digest is still that tag.
  [`docker-registry.wikimedia.org/python3:0.0.2@${DIGEST}`, 'my/python3:tagged'],
  ['docker-registry.wikimedia.org/python3:0.0.3', undefined],
  ['docker-registry.wikimedia.org/python3', undefined],
  [`docker-registry.wikimedia.org/golang@${DIGEST}`, 'my/go:digest'],
  [`docker-registry.wikimedia.org/golang@sha256:${'b'.repeat(64)}`, undefined],
  ['docker-registry.wikimedia.org/golang:1.21', undefined],
  // Docker Hub's long and short spellings are one image.
  ['redis:7', 'my/redis'],
  ['docker.io/library/busybox:stable', 'my/busybox'],
  ['busybox:latest', undefined],
  // A registry with a port is not a tag.
  ['localhost:5000/nodejs20-slim', undefined],
];
for (const [image, expected] of cases) {
  test(`aliasFor ${image} → ${expected ?? 'none'}`, (t) => t.is(aliasFor(image, aliases), expected));
}

test('aliasPinnedImages: pinned services and the e2e suite run the alias and keep the name they pinned; built ones are untouched', (t) => {
  const text = [
    'version: v1',
    'services:',
    '  app: {build: production, ports: [8080]}',
    `  cache: {image: "docker-registry.wikimedia.org/nodejs20-slim:0.0.1@${DIGEST}"}`,
    '  other: {image: "busybox:latest"}',
    'e2e:',
    '  image: docker-registry.wikimedia.org/python3:0.0.2',
    '  command: ["true"]',
    '',
  ].join('\n');
  const loaded = loadStack(text, 'devpipe.yaml', { directoryName: 'demo', builtins: [] });
  if (!loaded.ok) return t.fail(JSON.stringify(loaded.errors));
  const out = aliasPinnedImages(loaded.value, aliases);
  const byName = Object.fromEntries(out.services.map((s) => [s.name, s.image]));
  t.deepEqual(byName.cache, { kind: 'pinned', ref: 'my/node20', aliasOf: `docker-registry.wikimedia.org/nodejs20-slim:0.0.1@${DIGEST}` });
  t.deepEqual(byName.other, { kind: 'pinned', ref: 'busybox:latest' });
  t.is(byName.app?.kind, 'build');
  t.deepEqual(out.e2e?.image, { kind: 'pinned', ref: 'my/python3:tagged', aliasOf: 'docker-registry.wikimedia.org/python3:0.0.2' });
  t.is(aliasPinnedImages(loaded.value, {}), loaded.value, 'no aliases: the config as loaded');
  return undefined;
});
