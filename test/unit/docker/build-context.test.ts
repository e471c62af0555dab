import { utimes } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { extract } from 'tar-stream';
import { hashContext, packContext, type ContextPlan } from '../../../src/docker/build-context.js';
import { tempProject } from '../../helpers/tmp.js';

async function entries(plan: ContextPlan): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const unpack = extract();
  const tar = packContext(plan);
  await new Promise<void>((resolve, reject) => {
    unpack.on('entry', (header, stream, next) => {
      let body = '';
      stream.on('data', (c: unknown) => {
        body += String(c);
      });
      stream.on('end', () => {
        out[header.name] = header.type === 'directory' ? '<dir>' : body;
        next();
      });
    });
    unpack.on('finish', resolve);
    unpack.on('error', reject);
    tar.pipe(unpack);
  });
  return out;
}

const files = {
  'a.txt': 'a',
  'src/main.js': 'main',
  'src/secret.env': 'TOKEN=x',
  'node_modules/dep/index.js': 'dep',
  'docs/keep.md': 'keep',
  'docs/drop.md': 'drop',
};

test('the tar honours .dockerignore with Docker semantics, including ! re-includes', async (t) => {
  const dir = await tempProject(files);
  const plan: ContextPlan = {
    contextDir: dir,
    patterns: ['node_modules', '**/*.env', 'docs', '!docs/keep.md'],
    extraEntries: [],
    dockerfile: 'FROM scratch\n',
    sendProject: true,
  };
  const got = await entries(plan);
  t.deepEqual(Object.keys(got).filter((k) => !k.endsWith('/') && got[k] !== '<dir>').sort(), [
    '.devpipe-context/Dockerfile',
    '.dockerignore',
    'a.txt',
    'docs/keep.md',
    'src/main.js',
  ]);
  t.is(got['.devpipe-context/Dockerfile'], 'FROM scratch\n');
});

test('without the project, only the Dockerfile, generated files and filtered views are sent', async (t) => {
  const dir = await tempProject(files);
  const plan: ContextPlan = {
    contextDir: dir,
    patterns: ['node_modules'],
    extraEntries: [
      { kind: 'file', path: '.devpipe-context/run.sh', content: 'echo hi', mode: 0o755 },
      { kind: 'view', path: '.devpipe-context/copy-1', source: 'src', exclude: ['*.env'] },
      { kind: 'view', path: '.devpipe-context/copy-2', source: 'a.txt', exclude: [] },
    ],
    dockerfile: 'FROM scratch\n',
    sendProject: false,
  };
  const got = await entries(plan);
  t.deepEqual(Object.keys(got).filter((k) => got[k] !== '<dir>').sort(), [
    '.devpipe-context/Dockerfile',
    '.devpipe-context/copy-1/main.js',
    '.devpipe-context/copy-2',
    '.devpipe-context/run.sh',
  ]);
  t.is(got['.devpipe-context/copy-2'], 'a');
});

test('a view of the whole context applies .dockerignore and its own excludes', async (t) => {
  const dir = await tempProject(files);
  const got = await entries({
    contextDir: dir,
    patterns: ['node_modules'],
    extraEntries: [{ kind: 'view', path: '.devpipe-context/v', source: '.', exclude: ['docs/drop.md', 'src/*.env'] }],
    dockerfile: 'FROM scratch\n',
    sendProject: false,
  });
  t.deepEqual(Object.keys(got).filter((k) => got[k] !== '<dir>').sort(), [
    '.devpipe-context/Dockerfile',
    '.devpipe-context/v/a.txt',
    '.devpipe-context/v/docs/keep.md',
    '.devpipe-context/v/src/main.js',
  ]);
});

test('the context hash follows content, not mtimes, and ignores ignored files', async (t) => {
  const dir = await tempProject(files);
  const plan: ContextPlan = { contextDir: dir, patterns: ['node_modules'], extraEntries: [], dockerfile: 'FROM scratch\n', sendProject: true };
  const first = await hashContext(plan);
  await utimes(path.join(dir, 'a.txt'), new Date(2000, 1, 1), new Date(2000, 1, 1));
  t.is((await hashContext(plan)).digest, first.digest, 'touching a file keeps the hash');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path.join(dir, 'node_modules/dep/index.js'), 'changed');
  t.is((await hashContext(plan)).digest, first.digest, 'an ignored file does not count');
  await writeFile(path.join(dir, 'a.txt'), 'b');
  t.not((await hashContext(plan)).digest, first.digest, 'a content change changes the hash');
  t.not((await hashContext({ ...plan, dockerfile: 'FROM scratch\nCOPY . .\n' })).digest, first.digest, 'the Dockerfile counts');
  t.is(first.files, 5);
});

test('a glob view places every match under the view, as COPY with a wildcard would', async (t) => {
  const dir = await tempProject({ 'python/a.py': 'a', 'python/b.py': 'b', 'python/c.txt': 'c', 'python/pkg/d.py': 'd', 'config-1.yaml': '1', 'config-2.yaml': '2' });
  const got = await entries({
    contextDir: dir,
    patterns: ['config-2.yaml'],
    extraEntries: [
      { kind: 'view', path: '.devpipe-context/copy-1', source: 'python/*.py', exclude: [] },
      { kind: 'view', path: '.devpipe-context/copy-2', source: 'config*.yaml', exclude: [] },
    ],
    dockerfile: 'FROM scratch\n',
    sendProject: false,
  });
  t.deepEqual(Object.keys(got).filter((k) => got[k] !== '<dir>').sort(), [
    '.devpipe-context/Dockerfile',
    '.devpipe-context/copy-1/a.py',
    '.devpipe-context/copy-1/b.py',
    '.devpipe-context/copy-2/config-1.yaml',
  ]);
});

test('a view of a missing source is a clear failure', async (t) => {
  const dir = await tempProject({ 'a.txt': 'a' });
  const error = await t.throwsAsync(
    hashContext({ contextDir: dir, patterns: [], extraEntries: [{ kind: 'view', path: 'v', source: 'nope/', exclude: [] }], dockerfile: '', sendProject: false }),
  );
  t.regex(error?.message ?? '', /"nope" does not exist in the build context/);
});
