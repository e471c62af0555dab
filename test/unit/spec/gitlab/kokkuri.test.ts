import test from 'ava';
import { dotenvPrefix, kokkuriAction, KokkuriError } from '../../../../src/spec/gitlab/index.js';
import { buildctlFlags } from '../../../../src/spec/gitlab/kokkuri.js';

const base = { CI_PROJECT_PATH: 'repos/x/y', BUILD_VARIANT: 'v', BUILD_CONTEXT: '.', PUBLISH_IMAGE_NAME: 'repos/x/y', PUBLISH_IMAGE_TAG: 'main' };
const action = (template: 'build-image' | 'build-and-run-image' | 'build-and-publish-image', vars: Record<string, string>, tags: string[] = []) =>
  kokkuriAction({ jobName: 'job', template, vars: { ...base, ...vars }, tags, readFile: () => undefined });

test('BUILDCTL_BUILD_FLAGS: the two forms devpipe translates', (t) => {
  t.deepEqual(buildctlFlags('--output type=local,dest=test-reports --opt build-arg:BUILDKIT_CONTEXT_KEEP_GIT_DIR=1 --opt=build-arg:A=b=c'), { outputDir: 'test-reports', buildArgs: { BUILDKIT_CONTEXT_KEEP_GIT_DIR: '1', A: 'b=c' } });
  t.throws(() => buildctlFlags('--export-cache type=registry'), { instanceOf: KokkuriError, message: /`--export-cache type=registry` is not supported by devpipe/ });
  t.throws(() => buildctlFlags('--output type=image,push=true'), { message: /--output type=image,push=true is not supported locally/ });
});

test('publish: the primary tag made tag-safe, extra tags deduplicated, empty items dropped, refs under the local registry (overridable)', (t) => {
  const a = action('build-and-publish-image', { PUBLISH_IMAGE_TAG: 'feature/x', PUBLISH_IMAGE_EXTRA_TAGS: 'latest, ,latest,feature-x' });
  t.deepEqual(a.publish!.tags, ['feature-x', 'latest']);
  t.deepEqual(a.dotenv, { JOB_IMAGE_REF: 'localhost/repos/x/y:feature-x' });
  const r = action('build-and-publish-image', { DEVPIPE_LOCAL_REGISTRY: 'registry.local:5000/' });
  t.deepEqual(r.publish!.refs, ['registry.local:5000/repos/x/y:main']);
});

test('publish errors: an empty tag, a bad name, a bad extra tag', (t) => {
  t.throws(() => action('build-and-publish-image', { PUBLISH_IMAGE_TAG: '' }), { message: /PUBLISH_IMAGE_TAG is empty/ });
  t.throws(() => action('build-and-publish-image', { PUBLISH_IMAGE_NAME: 'Repos/X' }), { message: /not a valid image name/ });
  t.throws(() => action('build-and-publish-image', { PUBLISH_IMAGE_EXTRA_TAGS: 'a b' }), { message: /`a b` is not a valid tag/ });
});

test('paths stay inside the repository (context, Blubber file, output dir)', (t) => {
  t.throws(() => action('build-image', { BUILD_CONTEXT: '../other' }), { message: /BUILD_CONTEXT `..\/other` must stay inside the repository/ });
  t.throws(() => action('build-image', { DEVPIPE_BLUBBER_CONFIG: '/etc/passwd' }), { message: /must stay inside the repository/ });
  t.throws(() => action('build-image', { BUILDCTL_BUILD_FLAGS: '--output type=local,dest=../../x' }), { message: /--output dest `..\/..\/x` must stay inside/ });
});

test('runner-only facts are reported; a remote context builds the checkout; an unknown BUILD_ variable is a warning', (t) => {
  const a = action('build-and-run-image', { BUILD_CONTEXT: 'https://gitlab.wikimedia.org/repos/x/y.git#main', GIT_STRATEGY: 'none', BUILD_FRONTEND: 'f:1', PUBLISH_PROVENANCE: 'yes', BUILD_VARIANTS: 'typo', RUN_ARGUMENTS: '["a","b"]', DEVPIPE_RUN_ENVIRONMENT: '{"X":1}' }, ['trusted']);
  t.is(a.contextDir, '.');
  t.deepEqual(a.runArguments, ['a', 'b']);
  t.deepEqual(a.runEnvironment, { X: '1' });
  t.is(a.notApplicable.length, 5);
  t.deepEqual(a.warnings, ['BUILD_VARIANTS is not a Kokkuri variable devpipe knows (a typo?)']);
  t.throws(() => action('build-and-run-image', { DEVPIPE_RUN_ENVIRONMENT: '[1]' }), { message: /must be a JSON object/ });
  t.throws(() => action('build-and-run-image', { RUN_ARGUMENTS: '[1]' }), { message: /JSON array of strings/ });
});

test('dotenv prefix: every character outside [A-Za-z0-9_] becomes _, upper-cased', (t) => {
  t.is(dotenvPrefix('build-foo'), 'BUILD_FOO');
  t.is(dotenvPrefix('publish-dist: [bookworm]'), 'PUBLISH_DIST___BOOKWORM_');
});
