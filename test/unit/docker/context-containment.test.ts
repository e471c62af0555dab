/**
 * No build reads outside the project (symlinks included), and devpipe's own state and config are
 * never in a build context, whatever .dockerignore says (nor in its content hash).
 */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { extract } from 'tar-stream';
import { hashContext, packContext, type ContextPlan } from '../../../src/docker/build-context.js';
import { DevpipeError } from '../../../src/errors.js';
import { containment } from '../../../src/fs/containment.js';
import { tempProject } from '../../helpers/tmp.js';

async function names(plan: ContextPlan): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const unpack = extract();
  const tar = packContext(plan);
  await new Promise<void>((resolve, reject) => {
    unpack.on('entry', (header, stream, next) => {
      let body = '';
      stream.on('data', (c: unknown) => (body += String(c)));
      stream.on('end', () => {
        if (header.type !== 'directory') out[header.name] = header.type === 'symlink' ? `-> ${header.linkname ?? ''}` : body;
        next();
      });
    });
    unpack.on('finish', resolve);
    unpack.on('error', reject);
    tar.on('error', reject);
    tar.pipe(unpack);
  });
  return out;
}

/** A project with an outside directory holding a host secret, and symlinks pointing at it. */
async function escapeProject(): Promise<{ dir: string; outside: string }> {
  const outside = await mkdtemp(path.join(tmpdir(), 'devpipe-outside-'));
  await mkdir(path.join(outside, 'sub'));
  await writeFile(path.join(outside, 'host-secret'), 'HOST-SECRET-VALUE');
  await writeFile(path.join(outside, 'sub', 'file'), 'HOST-SECRET-VALUE');
  const dir = await tempProject({ 'src/app.js': 'app', 'inner/real.txt': 'inner' });
  await symlink(outside, path.join(dir, 'link-dir'));
  await symlink(path.join(outside, 'host-secret'), path.join(dir, 'link-file'));
  await symlink(path.join(outside, 'sub'), path.join(dir, 'link-sub'));
  await symlink('inner', path.join(dir, 'link-inside'));
  await symlink('../../../../../../../../etc/hostname', path.join(dir, 'src', 'rel-escape'));
  return { dir, outside };
}

const plan = (dir: string, source: string): ContextPlan => ({
  contextDir: dir,
  patterns: [],
  extraEntries: [{ kind: 'view', path: '.devpipe-context/local', source, exclude: [], mirror: true }],
  dockerfile: 'FROM scratch\n',
  sendProject: false,
});

const escapes: { source: string; why: RegExp }[] = [
  { source: 'link-dir/host-secret', why: /through the symlink/ },
  { source: 'link-dir', why: /through the symlink/ },
  { source: 'link-file', why: /through the symlink/ },
  { source: 'link-sub/file', why: /through the symlink/ },
  { source: '../../etc/passwd', why: /outside the build context/ },
  { source: 'src/rel-escape', why: /through the symlink/ },
];

for (const c of escapes) {
  test(`a view of "${c.source}" is refused (exit 2), nothing of the host is read`, async (t) => {
    const { dir } = await escapeProject();
    const error = await t.throwsAsync(names(plan(dir, c.source)), { instanceOf: DevpipeError });
    t.is(error?.exitCode, 2);
    t.regex(error?.message ?? '', c.why);
    await t.throwsAsync(hashContext(plan(dir, c.source)), { instanceOf: DevpipeError });
  });
}

test('a symlink source pointing inside the project is followed, as Docker scopes it', async (t) => {
  const { dir } = await escapeProject();
  const got = await names(plan(dir, 'link-inside'));
  t.is(got['.devpipe-context/local/link-inside/real.txt'], 'inner');
});

test('symlinks inside a copied directory travel as links (never followed to the host)', async (t) => {
  const { dir } = await escapeProject();
  const got = await names(plan(dir, '.'));
  t.regex(got['.devpipe-context/local/link-dir'] ?? '', /^-> \/.*devpipe-outside-/);
  t.false(Object.values(got).some((v) => v.includes('HOST-SECRET-VALUE')));
});

test('containment: lexical escapes, symlinked parents and missing tails', async (t) => {
  const { dir } = await escapeProject();
  t.deepEqual(await containment(dir, 'src/app.js'), { inside: true });
  t.deepEqual(await containment(dir, 'src/missing/deeper'), { inside: true });
  t.false((await containment(dir, 'link-dir/missing')).inside);
  t.false((await containment(dir, '../x')).inside);
  t.true((await containment(dir, 'src/*.js')).inside);
  t.false((await containment(dir, 'link-dir/*.txt')).inside);
});

test(".devpipe/ and .pipeline/devpipe.yaml are never in a context, whatever .dockerignore says; devpipe's writes keep the hash", async (t) => {
  const dir = await tempProject({
    'src/app.js': 'app',
    '.pipeline/blubber.yaml': 'version: v4\n',
    '.pipeline/devpipe.yaml': 'secrets:\n  tok: {fake: fake-token-1234}\n',
    '.devpipe/secrets/tok': 'fake-token-1234',
    '.devpipe/runs/r1/run.json': '{}',
    '.dockerignore': '!.devpipe\n!.pipeline\n',
  });
  for (const p of [
    { ...plan(dir, '.'), patterns: ['!.devpipe', '!.pipeline'] },
    { ...plan(dir, '.pipeline'), patterns: ['!.devpipe'] },
    { ...plan(dir, '.pipeline/devpipe.yaml') },
    { ...plan(dir, '.devpipe') },
    { contextDir: dir, patterns: ['!.devpipe'], extraEntries: [], dockerfile: 'FROM scratch\n', sendProject: true },
    { contextDir: dir, patterns: [], extraEntries: [{ kind: 'view' as const, path: '.devpipe-context/copy-1', source: '.', exclude: ['!.devpipe'] }], dockerfile: 'FROM scratch\n', sendProject: false },
  ]) {
    const got = await names(p);
    t.false(Object.keys(got).some((k) => /(^|\/)\.devpipe\/|devpipe\.yaml$/.test(k)), JSON.stringify(Object.keys(got)));
    t.false(Object.values(got).some((v) => v.includes('fake-token-1234')));
  }
  const before = await hashContext({ ...plan(dir, '.'), patterns: [] });
  await writeFile(path.join(dir, '.devpipe', 'runs', 'r2.json'), 'new record');
  await writeFile(path.join(dir, '.pipeline', 'devpipe.yaml'), 'secrets: {}\n');
  t.is((await hashContext({ ...plan(dir, '.'), patterns: [] })).digest, before.digest);
});
