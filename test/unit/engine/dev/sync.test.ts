import test from 'ava';
import { compileVariant } from '../../../../src/compile/index.js';
import { syncDecision } from '../../../../src/engine/dev/sync.js';
import { loadBlubber } from '../../../../src/spec/blubber/index.js';

const spec = `version: v4
base: debian:bookworm-slim
lives: {in: /srv/app}
variants:
  web:
    copies: [local]
    entrypoint: [httpd]
  node:
    builders:
      - node: {requirements: [package.json]}
    copies: [local]
  static:
    copies:
      - from: local
        source: ./www/
        destination: /var/www/
  single:
    copies:
      - from: local
        source: config.yaml
        destination: /etc/app/config.yaml
  python:
    python:
      version: python3
      requirements: [requirements.txt]
    copies: [local]
    python-no-deps: true
`.replace('    python-no-deps: true\n', '');

function decide(variant: string, path: string) {
  const loaded = loadBlubber(spec, 'b.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const compiled = compileVariant(loaded.value, variant, { localContext: 'views' });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return syncDecision(compiled.value.stages, path, compiled.value.buildArgs);
}

const syncs = test.macro({
  exec(t, variant: string, path: string, containerPath: string) {
    t.deepEqual(decide(variant, path), { sync: true, target: { containerPath, uid: 65533, gid: 65533 } });
  },
  title: (_p, variant: string, path: string, containerPath: string) => `${variant}: ${path} is synced to ${containerPath}`,
});

const rebuilds = test.macro({
  exec(t, variant: string, path: string, reason: RegExp) {
    const decision = decide(variant, path);
    t.false(decision.sync);
    if (!decision.sync) t.regex(decision.reason, reason);
  },
  title: (_p, variant: string, path: string) => `${variant}: ${path} needs a rebuild`,
});

test(syncs, 'web', 'index.html', '/srv/app/index.html');
test(syncs, 'web', 'src/lib/a.js', '/srv/app/src/lib/a.js');
test(syncs, 'node', 'src/server.js', '/srv/app/src/server.js');
test(rebuilds, 'node', 'package.json', /more than one build step/);
test(syncs, 'static', 'www/css/site.css', '/var/www/css/site.css');
test(rebuilds, 'static', 'README.md', /not copied into the final image/);
test(syncs, 'single', 'config.yaml', '/etc/app/config.yaml');
test(rebuilds, 'python', 'requirements.txt', /more than one build step/);
