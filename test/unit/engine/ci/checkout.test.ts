import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { readCheckout } from '../../../../src/engine/ci/checkout.js';
import { parseStatusV2, sourceRevision } from '../../../../src/engine/project/revision.js';
import { ExecaProcessRunner } from '../../../../src/process/execa-runner.js';

const proc = new ExecaProcessRunner();

function repo(name: string): { dir: string; git: (...args: string[]) => string } {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'checkout-')), name);
  execFileSync('mkdir', ['-p', dir]);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', '-c', 'init.defaultBranch=main', ...args], { cwd: dir }).toString().trim();
  git('init', '-q');
  return { dir, git };
}

test('status v2: commit, branch, detached HEAD, no commit yet, dirty', (t) => {
  const oid = 'a'.repeat(40);
  t.deepEqual(parseStatusV2(`# branch.oid ${oid}\n# branch.head main\n`), { commit: oid, branch: 'main', dirty: false });
  t.deepEqual(parseStatusV2(`# branch.oid ${oid}\n# branch.head (detached)\n1 .M N... x\n`), { commit: oid, branch: '', dirty: true });
  t.deepEqual(parseStatusV2('# branch.oid (initial)\n# branch.head main\n'), { commit: undefined, branch: 'main', dirty: false });
});

test('a checkout: commit, branch, origin (insteadOf applied), the tag on HEAD; revision marks uncommitted changes', async (t) => {
  const { dir, git } = repo('my-svc');
  writeFileSync(path.join(dir, 'a.txt'), 'one\n');
  git('add', '-A');
  git('commit', '-qm', 'one');
  git('remote', 'add', 'upstream', 'https://example.org/other/thing.git');
  git('remote', 'add', 'origin', 'https://example.org/repos/my-svc.git');
  git('config', 'url.https://mirror.example/.insteadOf', 'https://example.org/');
  git('tag', 'v1.2.0');
  const commit = git('rev-parse', 'HEAD');
  const checkout = await readCheckout(proc, dir, { K: 'v' });
  t.is(checkout.input.commit, commit);
  t.is(checkout.input.branch, 'main');
  t.is(checkout.input.remote, 'https://mirror.example/repos/my-svc.git');
  t.is(checkout.input.tag, 'v1.2.0');
  t.deepEqual(checkout.input.params, { K: 'v' });
  t.true(checkout.assumptions.some((a) => a.includes('tagged `v1.2.0`')));
  t.is(await sourceRevision(proc, dir), commit);
  t.is(checkout.revision, commit);
  writeFileSync(path.join(dir, 'a.txt'), 'two\n');
  t.is(await sourceRevision(proc, dir), `${commit}+dirty`);
  t.is((await readCheckout(proc, dir, {})).revision, `${commit}+dirty`);
});

test('detached HEAD without remote: no branch, the directory name is the project', async (t) => {
  const { dir, git } = repo('svc-two');
  writeFileSync(path.join(dir, 'a.txt'), 'one\n');
  git('add', '-A');
  git('commit', '-qm', 'one');
  git('checkout', '-q', '--detach');
  const checkout = await readCheckout(proc, dir, {});
  t.is(checkout.input.branch, '');
  t.is(checkout.input.remote, '');
  t.is(checkout.input.project, 'svc-two');
  t.true(checkout.assumptions.some((a) => a.includes('no git remote')));
});

test('not a checkout, or no commit yet: said, nothing else assumed', async (t) => {
  const plain = mkdtempSync(path.join(tmpdir(), 'plain-'));
  const none = await readCheckout(proc, plain, {});
  t.is(none.input.commit, '');
  t.regex(none.assumptions[0] ?? '', /is not a git checkout/);
  t.is(await sourceRevision(proc, plain), 'none');
  t.is(none.revision, 'none');
  const { dir } = repo('fresh');
  t.is((await readCheckout(proc, dir, {})).input.commit, '');
  t.is(await sourceRevision(proc, dir), 'none');
});
