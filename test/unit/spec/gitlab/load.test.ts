import test from 'ava';
import { loadGitlabConfig } from '../../../../src/spec/gitlab/index.js';
import { kokkuriText, load, loadText } from './_helpers.js';

const kokkuri = "include: [{project: 'repos/releng/kokkuri', file: 'includes/images.yaml'}]\n";

test('extends: hashes merge key by key, lists are replaced, later parents beat earlier ones, the job beats all', (t) => {
  const config = load(`
.a:
  variables: {A: a, B: a}
  tags: [a]
  script: [echo a]
.b:
  variables: {B: b, C: b}
  tags: [b]
job:
  extends: [.a, .b]
  variables: {C: job}
`);
  const job = config.jobs[0]!;
  t.deepEqual(job.variables, { A: 'a', B: 'b', C: 'job' });
  t.deepEqual(job.tags, ['b']);
  t.deepEqual(job.script, ['echo a']);
  t.deepEqual(job.extends, ['.a', '.b']);
});

test('!reference: a list item that is a list is spliced in; nested references resolve; a missing path is located', (t) => {
  const config = load(`
.rules: {rules: [{if: '$A'}, {if: '$B'}]}
.more: {rules: [!reference [.rules, rules], {when: always}]}
job:
  script: [x]
  rules:
    - !reference [.more, rules]
    - {if: '$C'}
`);
  t.deepEqual(config.jobs[0]!.rules!.map((r) => r.if ?? r.when), ['$A', '$B', 'always', '$C']);
  const bad = loadText('job:\n  script: [x]\n  rules:\n    - !reference [.nothing, rules]\n');
  t.false(bad.ok);
  if (!bad.ok) t.deepEqual(bad.errors.map((e) => `${e.line}:${e.col} ${e.message}`), ['4:18 !reference [.nothing, rules]: `.nothing` does not exist']);
});

test('default: applies keys a job (or its parents) does not set', (t) => {
  const config = load('default: {tags: [kubernetes]}\n.t: {tags: [trusted]}\na: {script: [x]}\nb: {script: [x], extends: .t}\n');
  t.deepEqual(config.jobs.map((j) => j.tags), [['kubernetes'], ['trusted']]);
});

test('variables: value/description form, expand: false, numbers as text; YAML anchors', (t) => {
  const config = load('variables:\n  TAG: {value: latest, description: the tag}\n  RAW: {value: "$X", expand: false}\n  N: 1.10\nj: &j {script: [x], variables: {V: "1"}}\nk: *j\n');
  t.deepEqual(config.variables, { TAG: 'latest', RAW: '$X', N: '1.10' });
  t.true(config.raw.has('RAW'));
  t.is(config.jobs.length, 2);
});

const invalid = test.macro({
  exec(t, text: string, expected: string[]) {
    const result = loadText(text);
    t.false(result.ok);
    if (!result.ok) t.deepEqual(result.errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.message}`), expected);
  },
  title: (title) => `invalid: ${title}`,
});

test('an unknown Kokkuri template, naming the known ones', invalid, `${kokkuri}j:\n  extends: .kokkuri:run-image\n`, [
  '.gitlab-ci.yml:3:12 `.kokkuri:run-image` is not a Kokkuri template devpipe knows',
]);
test('extends of an undefined job without external includes', invalid, 'j:\n  extends: .nope\n  script: [x]\n', ['.gitlab-ci.yml:2:12 job `j` extends `.nope`, which is not defined']);
test('an extends cycle', invalid, '.a: {extends: .b}\n.b: {extends: .a}\nj: {extends: .a, script: [x]}\n', ['.gitlab-ci.yml:3:14 extends forms a cycle: j → .a → .b → .a']);
test('only/except are not supported', invalid, 'j: {script: [x], only: [main]}\n', ['.gitlab-ci.yml:1:24 `only` is not supported by devpipe']);
test('a stage that is not listed', invalid, 'stages: [build]\nj: {script: [x], stage: test}\n', ['.gitlab-ci.yml:2:25 job `j`: stage `test` is not in stages (build)']);
test('a job without script', invalid, 'j: {stage: test}\n', ['.gitlab-ci.yml:1:4 job `j` has no script']);
test('a Kokkuri job without BUILD_VARIANT', invalid, `${kokkuri}j: {extends: .kokkuri:build-image}\n`, ['.gitlab-ci.yml:2:4 job `j` (.kokkuri:build-image) needs the variable BUILD_VARIANT']);
test('YAML syntax', invalid, 'j: {script: [x]\n', ['.gitlab-ci.yml:2:1 invalid YAML: Flow map in block collection must be sufficiently indented and end with a }']);
test('a bad when', invalid, 'j: {script: [x], when: sometimes}\n', ['.gitlab-ci.yml:1:24 when must be one of on_success, always, never, manual, on_failure, delayed, got "sometimes"']);

test('an unknown key is a warning; an unknown template of another project makes the job external, not an error', (t) => {
  const result = loadText("include: [{project: repos/releng/docpub, file: x.yml}]\nj: {extends: .docpub:x, scripts: [x]}\n");
  t.true(result.ok);
  if (!result.ok) return;
  t.deepEqual(result.config.jobs[0]!.external, ['.docpub:x']);
  t.regex(result.warnings[0]!.message, /unknown job key `scripts`/);
});

test('include: local files are read and merged under the file; a missing one is located', (t) => {
  const config = load("include: [{local: ci/common.yml}]\nj: {extends: .common, variables: {B: j}}\n", { 'ci/common.yml': '.common: {script: [x], variables: {A: c, B: c}}\n' });
  t.deepEqual(config.jobs[0]!.variables, { A: 'c', B: 'j' });
  const missing = loadText("include: [{local: nope.yml}]\nj: {script: [x]}\n");
  t.false(missing.ok);
  if (!missing.ok) t.regex(missing.errors[0]!.message, /include: local file nope\.yml does not exist/);
});

test('include: local paths that leave the repository are errors, never read', (t) => {
  const read: string[] = [];
  const result = loadGitlabConfig({ file: '.gitlab-ci.yml', text: "include: [{local: ../../etc/ci.yml}]\nj: {script: [x]}\n", kokkuri: { file: 'k', text: kokkuriText }, readLocal: (p) => (read.push(p), 'x: {script: [y]}\n') });
  t.false(result.ok);
  if (!result.ok) t.regex(result.errors[0]!.message, /include: local file \.\.\/\.\.\/etc\/ci\.yml leaves the repository/);
  t.deepEqual(read, []);
});

test('errors in the shipped Kokkuri description are located in that file', (t) => {
  const broken = kokkuriText.replace('  script:\n    - devpipe-kokkuri build-image', '  script:\n    - devpipe-kokkuri build-image\n  when: sometimes');
  const result = loadGitlabConfig({ file: '.gitlab-ci.yml', text: `${kokkuri}j: {extends: .kokkuri:build-image, variables: {BUILD_VARIANT: x}}\n`, kokkuri: { file: 'devpipe:templates/gitlab/kokkuri.yaml', text: broken }, readLocal: () => undefined });
  t.false(result.ok);
  if (!result.ok) t.true(result.errors.some((e) => e.file === 'devpipe:templates/gitlab/kokkuri.yaml' && /when must be one of/.test(e.message) && e.path === '[".kokkuri:build-image"].when'), JSON.stringify(result.errors));
});

test('the shipped description defines the five templates; a job replacing script is no longer a Kokkuri job', (t) => {
  const config = load(`${kokkuri}a: {extends: .kokkuri:build-image, variables: {BUILD_VARIANT: x}}\nb: {extends: .kokkuri:build-image, variables: {BUILD_VARIANT: x}, script: [make]}\n`);
  t.deepEqual(Object.keys(config.templates).sort(), ['.kokkuri:bake', '.kokkuri:build-and-publish-image', '.kokkuri:build-and-run-image', '.kokkuri:build-image', '.kokkuri:remote-context']);
  t.deepEqual(config.jobs.map((j) => j.kokkuri), ['build-image', undefined]);
});
