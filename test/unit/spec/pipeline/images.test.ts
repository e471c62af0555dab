import test from 'ava';
import {
  localImageName,
  pipelineTimestamp,
  projectFromRemote,
  publishedNameError,
  publishTags,
  qualifiedImageName,
  randomAlphanum,
  runContainerName,
  sanitizeImageName,
  setupValues,
  tagFromRef,
} from '../../../../src/spec/pipeline/index.js';

const nameRule = test.macro({
  exec(t, name: string, ok: boolean) {
    const error = publishedNameError(name, 'mediawiki/services/citoid', 'citoid');
    if (ok) t.is(error, undefined);
    else t.regex(error ?? '', /must either match or be prefixed by the full or short project name/);
  },
  title: (_title, name, ok) => `published name ${name} is ${ok ? 'allowed' : 'refused'}`,
});
test(nameRule, 'mediawiki-services-citoid', true);
test(nameRule, 'mediawiki/services/citoid', true);
test(nameRule, 'citoid', true);
test(nameRule, 'citoid-worker', true);
test(nameRule, 'Citoid-Worker', true);
test(nameRule, 'citoidx', false);
test(nameRule, 'other', false);

test('sanitizing lower-cases and replaces /', (t) => t.is(sanitizeImageName('Foo/Bar'), 'foo-bar'));
test('R2 registry path; rejects / and upper case', (t) => {
  t.is(qualifiedImageName('foo'), 'docker-registry.wikimedia.org/wikimedia/foo');
  t.is(qualifiedImageName('foo', 'docker-registry.discovery.wmnet'), 'docker-registry.discovery.wmnet/wikimedia/foo');
  t.throws(() => qualifiedImageName('Foo'));
  t.throws(() => qualifiedImageName('a/b'));
});
test('publish tags: primary first, sanitized, empty dropped', (t) => t.deepEqual(publishTags('2026-x-Prod', ['', 'stable', 'v1/2']), ['2026-x-prod', 'stable', 'v1-2']));
test('timestamp format yyyy-MM-dd-HHmmss UTC', (t) => t.is(pipelineTimestamp(new Date(Date.UTC(2026, 7, 17, 9, 45, 55))), '2026-08-17-094555'));
test('citoid publish example (reference §1.5)', (t) => {
  const { project } = projectFromRemote('https://gerrit.wikimedia.org/r/mediawiki/services/citoid');
  t.is(`${qualifiedImageName(sanitizeImageName(project))}:${pipelineTimestamp(new Date(Date.UTC(2026, 7, 17, 9, 45, 55)))}-production`, 'docker-registry.wikimedia.org/wikimedia/mediawiki-services-citoid:2026-08-17-094555-production');
});

const remotes = test.macro({
  exec(t, remote: string, project: string, short: string) {
    t.deepEqual(projectFromRemote(remote), { project, projectShortName: short });
  },
  title: (_t, remote) => `project from ${remote}`,
});
test(remotes, 'https://gerrit.wikimedia.org/r/mediawiki/services/citoid', 'mediawiki/services/citoid', 'citoid');
test(remotes, 'https://gerrit.wikimedia.org/r/mediawiki/services/citoid.git', 'mediawiki/services/citoid', 'citoid');
test(remotes, 'ssh://user@gerrit.wikimedia.org:29418/operations/software/bitu', 'operations/software/bitu', 'bitu');
test(remotes, 'git@github.com:wikimedia/ores.git', 'wikimedia/ores', 'ores');

test('setup.tag from refs/tags', (t) => {
  t.is(tagFromRef('refs/tags/v1.2'), 'v1.2');
  t.is(tagFromRef('refs/changes/1/2/3'), '');
});
test('generated names', (t) => {
  const fixed = () => 0.5;
  t.is(randomAlphanum(8, fixed), 'ssssssss');
  t.regex(randomAlphanum(8), /^[a-z0-9]{8}$/);
  t.is(localImageName('abcd1234'), 'localhost/plib-image-abcd1234');
  t.is(runContainerName('abcd1234'), 'plib-run-abcd1234');
});
test('setup values', (t) => {
  const values = setupValues({ pipeline: 'test', remote: 'https://gerrit.wikimedia.org/r/mediawiki/services/citoid', commit: 'c0ffee', startedAt: new Date(0), params: { ZUUL_REF: 'refs/x' }, git: { GIT_COMMIT: 'c0ffee', OTHER: 'x' } });
  t.like(values, { stage: 'setup', pipeline: 'test', project: 'mediawiki/services/citoid', projectShortName: 'citoid', tag: '', timestamp: '1970-01-01-000000', 'params.ZUUL_REF': 'refs/x', GIT_COMMIT: 'c0ffee' });
  t.false('OTHER' in values);
});
