import test from 'ava';
import { expand, globToRegExp, predefinedVariables, resolveVariables, runtimeValues } from '../../../../src/spec/gitlab/index.js';
import { mr, push, tag } from './_helpers.js';

test('expand: $NAME and ${NAME}, unknown left as written, $$ is a literal $', (t) => {
  const vars: Record<string, string> = { A: 'a', B: 'b' };
  t.is(expand('$A-${B}-$C-$$A', (n) => vars[n]), 'a-b-$C-$A');
});

test('resolveVariables: later layers win, values expand recursively against the whole map, cycles stay as written, raw names keep their text', (t) => {
  const out = resolveVariables([{ DISTRO: 'x', V: 'verify-$DISTRO' }, { DISTRO: 'trixie' }, { X: '$Y', Y: '$X', R: '$DISTRO' }], new Set(['R']));
  t.is(out.V, 'verify-trixie');
  t.is(out.R, '$DISTRO');
  t.regex(out.X!, /^\$[XY]$/);
});

test('runtimeValues: what a runner does, undefined references become empty', (t) => {
  t.deepEqual(runtimeValues({ T: 'stable,$CI_COMMIT_TAG', A: 'a' }), { T: 'stable,', A: 'a' });
});

test('predefined variables per pipeline kind: a branch push, a tag, a merge request', (t) => {
  const branch = predefinedVariables(push('feature-x', false));
  t.is(branch.CI_COMMIT_BRANCH, 'feature-x');
  t.is(branch.CI_COMMIT_TAG, undefined);
  t.is(branch.CI_COMMIT_REF_PROTECTED, 'false', 'always defined');
  t.is(branch.CI_COMMIT_SHORT_SHA, '01234567');
  t.is(branch.CI_PROJECT_NAMESPACE, 'repos/test');
  t.is(branch.KOKKURI_PIPELINE_TIMESTAMP, '2026-11-30-080000');
  const tagged = predefinedVariables(tag('v1.0.0', true));
  t.is(tagged.CI_COMMIT_BRANCH, undefined);
  t.is(tagged.CI_COMMIT_TAG, 'v1.0.0');
  t.is(tagged.CI_COMMIT_REF_NAME, 'v1.0.0');
  const request = predefinedVariables(mr('feature-x', 'main'));
  t.is(request.CI_PIPELINE_SOURCE, 'merge_request_event');
  t.is(request.CI_COMMIT_BRANCH, undefined);
  t.is(request.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME, 'feature-x');
  t.is(request.CI_MERGE_REQUEST_TARGET_BRANCH_NAME, 'main');
  t.is(request.CI_COMMIT_REF_NAME, 'feature-x');
});

const globs = test.macro({
  exec(t, glob: string, file: string, expected: boolean) {
    t.is(globToRegExp(glob).test(file), expected);
  },
  title: (_t, glob: string, file: string, expected: boolean) => `glob ${glob} ${expected ? 'matches' : 'does not match'} ${file}`,
});
test(globs, '.github/*', '.github/workflows/x.yml', false);
test(globs, '.github/*', '.github/CODEOWNERS', true);
test(globs, '.github/**/*', '.github/workflows/x.yml', true);
test(globs, '**/*.php', 'src/a/b.php', true);
test(globs, '**/*.php', 'b.php', true);
test(globs, '*.{js,ts}', 'a.ts', true);
test(globs, 'src/?.go', 'src/a.go', true);
test(globs, '.gitlab-ci.yml', '.gitlab-ci.yml', true);
test(globs, '.gitlab-ci.yml', 'x.gitlab-ci.yml', false);
