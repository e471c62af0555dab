import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { parseRemote } from '../../../../src/engine/gitlab/checkout.js';
import { chooseCi } from '../../../../src/engine/ci/choose.js';
import { NodeProjectReader } from '../../../../src/fs/project-reader.js';
import { tempProject } from '../../../helpers/tmp.js';

const remotes = test.macro({
  exec(t, url: string, expected: { host: string; path: string } | undefined) {
    t.deepEqual(parseRemote(url), expected);
  },
  title: (_t, url: string) => `remote ${url}`,
});
test(remotes, 'https://gitlab.wikimedia.org/repos/releng/blubber.git', { host: 'gitlab.wikimedia.org', path: 'repos/releng/blubber' });
test(remotes, 'git@gitlab.wikimedia.org:repos/releng/scap.git', { host: 'gitlab.wikimedia.org', path: 'repos/releng/scap' });
test(remotes, 'ssh://git@gitlab.wikimedia.org:2222/repos/x/y', { host: 'gitlab.wikimedia.org', path: 'repos/x/y' });
test(remotes, 'https://gerrit.wikimedia.org/r/mediawiki/services/kask', { host: 'gerrit.wikimedia.org', path: 'mediawiki/services/kask' });
test(remotes, '/local/path', undefined);

test('which CI: config.yaml when present, .gitlab-ci.yml otherwise; --ci chooses; GitLab flags choose GitLab', async (t) => {
  const both = new NodeProjectReader(await tempProject({ '.gitlab-ci.yml': 'j: {script: [x]}\n', '.pipeline/config.yaml': 'pipelines: {}\n' }));
  t.deepEqual((await chooseCi(both, {})).kind, 'pipelinelib');
  t.regex((await chooseCi(both, {})).note!, /--ci gitlab/);
  t.is((await chooseCi(both, { ci: 'gitlab' })).kind, 'gitlab');
  t.is((await chooseCi(both, { plan: true })).kind, 'gitlab');
  t.is((await chooseCi(both, { var: [], changed: [], run: [] })).kind, 'pipelinelib', 'empty repeatable defaults do not count');
  await t.throwsAsync(() => chooseCi(both, { ci: 'pipelinelib', source: 'push' }), { message: /--source applies to GitLab CI/ });
  const gitlab = new NodeProjectReader(await tempProject({ '.gitlab-ci.yml': 'j: {script: [x]}\n' }));
  t.is((await chooseCi(gitlab, {})).kind, 'gitlab');
  const plib = await tempProject({});
  await mkdir(path.join(plib, '.pipeline'));
  await writeFile(path.join(plib, '.pipeline/config.yaml'), 'pipelines: {}\n');
  t.is((await chooseCi(new NodeProjectReader(plib), {})).kind, 'pipelinelib');
});
