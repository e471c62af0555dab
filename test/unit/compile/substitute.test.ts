import test from 'ava';
import { compileVariant } from '../../../src/compile/index.js';
import { loadBlubber } from '../../../src/spec/blubber/index.js';

const spec = `version: v4
base: docker-registry.wikimedia.org/nodejs20-slim:0.0.1
variants:
  build:
    copies: [local]
  tools:
    base: docker-registry.wikimedia.org/bookworm
  production:
    includes: [build]
    copies:
      - from: docker-registry.wikimedia.org/golang1.19
        source: /usr/local/go/bin/go
        destination: /usr/bin/go
`;

test('images: aliases replace FROM and COPY --from images; the substitutions are listed; without aliases nothing changes', (t) => {
  const loaded = loadBlubber(spec, 'blubber.yaml');
  if (!loaded.ok) return t.fail(JSON.stringify(loaded.errors));
  const plain = compileVariant(loaded.value, 'production', { localContext: 'views' });
  if (!plain.ok) return t.fail();
  t.deepEqual(plain.value.substitutions, []);
  t.regex(plain.value.dockerfile, /^FROM docker-registry\.wikimedia\.org\/nodejs20-slim:0\.0\.1 AS production$/m);
  const aliased = compileVariant(loaded.value, 'production', { localContext: 'views', images: { 'docker-registry.wikimedia.org/nodejs20-slim': 'my/node20', 'docker-registry.wikimedia.org/golang1.19:latest': 'my/go' } });
  if (!aliased.ok) return t.fail();
  t.regex(aliased.value.dockerfile, /^FROM my\/node20 AS production$/m);
  t.deepEqual(aliased.value.substitutions, [{ image: 'docker-registry.wikimedia.org/nodejs20-slim:0.0.1', alias: 'my/node20' }]);
  t.true(aliased.value.baseImages.includes('my/node20'));
  t.false(aliased.value.baseImages.some((b) => b.startsWith('docker-registry.wikimedia.org/nodejs20')));
});
