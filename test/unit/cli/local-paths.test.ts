/** Every key that names a local path a build reads: `..`, absolute paths and symlinks out of the project are exit 2, located. */
import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { NodeProjectReader } from '../../../src/fs/project-reader.js';
import { preflight } from '../../../src/engine/ci/preflight.js';
import { loadPipelineConfig } from '../../../src/spec/pipeline/index.js';
import { runCli } from '../../helpers/cli.js';
import { tempProject } from '../../helpers/tmp.js';

const base = 'version: v4\nbase: debian:bookworm-slim\nlives:\n  in: /srv/app\nvariants:\n  production:\n';

const cases: { title: string; variant: string; key: RegExp }[] = [
  { title: 'copies source through a symlinked directory', variant: '    copies:\n      - from: local\n        source: link-dir/host-secret\n        destination: x\n', key: /blubber\.yaml:9:17 .*variants\.production\.copies\[0\]\.source/ },
  { title: 'copies source that is a symlink to an outside directory', variant: '    copies:\n      - from: local\n        source: link-dir\n        destination: x\n', key: /blubber\.yaml:9:17/ },
  { title: 'copies source that is a symlink to an outside file', variant: '    copies:\n      - from: local\n        source: link-file\n        destination: x\n', key: /blubber\.yaml:9:17/ },
  { title: 'node requirements through a symlink', variant: '    node:\n      requirements: [link-dir/package.json]\n', key: /variants\.production\.node\.requirements\[0\]/ },
  { title: 'builder mounts going up with ..', variant: '    builder:\n      command: [ls]\n      mounts:\n        - from: local\n          source: ../..\n', key: /variants\.production\.builder\.mounts\[0\]\.source/ },
  { title: 'builder mounts through a symlink', variant: '    builder:\n      command: [ls]\n      mounts:\n        - from: local\n          source: link-dir\n', key: /variants\.production\.builder\.mounts\[0\]\.source/ },
  { title: 'builder requirements through a symlink', variant: '    builder:\n      command: [ls]\n      requirements: [link-file]\n', key: /variants\.production\.builder\.requirements\[0\]/ },
];

async function project(variant: string): Promise<string> {
  const outside = await mkdtemp(path.join(tmpdir(), 'devpipe-outside-'));
  await writeFile(path.join(outside, 'host-secret'), 'HOST');
  await writeFile(path.join(outside, 'package.json'), '{}');
  const dir = await tempProject({ '.pipeline/blubber.yaml': base + variant, 'src/a.js': 'a' });
  await symlink(outside, path.join(dir, 'link-dir'));
  await symlink(path.join(outside, 'host-secret'), path.join(dir, 'link-file'));
  return dir;
}

for (const c of cases) {
  test(`${c.title}: exit 2 at the key, before any build`, async (t) => {
    const dir = await project(c.variant);
    const result = await runCli(['-C', dir, 'render', 'production']);
    t.is(result.exitCode, 2, result.stderr);
    t.regex(result.stderr, /resolves outside the project/);
    t.regex(result.stderr, c.key);
  });
}

test('a symlink that stays inside the project is fine', async (t) => {
  const dir = await tempProject({ '.pipeline/blubber.yaml': `${base}    copies:\n      - from: local\n        source: link-in\n        destination: x\n`, 'src/a.js': 'a' });
  await symlink('src', path.join(dir, 'link-in'));
  const result = await runCli(['-C', dir, 'render', 'production']);
  t.is(result.exitCode, 0, result.stderr);
});

test('ci: the preflight refuses the same escapes (exit 2, located), before any stage runs', async (t) => {
  const dir = await project(cases[0]!.variant);
  const loaded = loadPipelineConfig('pipelines:\n  test:\n    blubberfile: blubber.yaml\n    stages:\n      - name: production\n        build: production\n', '.pipeline/config.yaml');
  if (!loaded.ok) return t.fail(JSON.stringify(loaded.errors));
  const checked = await preflight(new NodeProjectReader(dir), loaded.value, ['test'], 'test');
  t.is(checked.errors.length, 1);
  t.like(checked.errors[0], { path: 'variants.production.copies[0].source', line: 9 });
});

test('a Blubber file named outside the project (--blubber, build.blubber) is exit 2', async (t) => {
  const dir = await project('    copies: [local]\n');
  for (const file of ['../../etc/hostname', 'link-dir/host-secret']) {
    const result = await runCli(['-C', dir, 'render', 'production', '--blubber', file]);
    t.is(result.exitCode, 2, result.stderr);
    t.regex(result.stderr, /the Blubber file .* resolves outside the project/);
  }
});

test('ci: a blubberfile named outside the repository (..) is exit 2 located, never read', async (t) => {
  const dir = await tempProject({ 'src/a.js': 'a' });
  const loaded = loadPipelineConfig('pipelines:\n  test:\n    blubberfile: ../../../etc/hostname\n    stages:\n      - name: production\n        build: production\n', '.pipeline/config.yaml');
  if (!loaded.ok) return t.fail(JSON.stringify(loaded.errors));
  const checked = await preflight(new NodeProjectReader(dir), loaded.value, ['test'], 'test');
  t.true(checked.errors.some((e) => /resolves outside the repository/.test(e.message) && e.line === 3), JSON.stringify(checked.errors));
});
