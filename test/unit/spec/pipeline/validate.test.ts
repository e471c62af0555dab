import test from 'ava';
import { errorsOf, warningsOf, where } from './_helpers.js';

/**
 * Every validation error a user can hit: file:line:col, key path, message and hint.
 * `expected` is `file:line:col path`.
 */
const rejects = test.macro({
  exec(t, yaml: string, expected: string, message: RegExp, hint: RegExp) {
    const errors = errorsOf(yaml);
    const found = errors.find((e) => where(e) === expected && message.test(e.message));
    t.truthy(found, `no error at ${expected} matching ${message}; got:\n${errors.map((e) => `${where(e)}: ${e.message} (hint: ${e.hint})`).join('\n')}`);
    t.regex(found?.hint ?? '', hint);
    t.is(found?.severity, 'error');
  },
  title: (title) => `rejects: ${title}`,
});

const P = 'pipelines:\n  p:\n    blubberfile: blubber.yaml\n    stages:\n';

test('invalid YAML', rejects, 'pipelines:\n  p: [a\n', 'config.yaml:3:1 ', /^invalid YAML/, /closed|indentation|quoting/);
test('another CI system\'s file', rejects, 'version: 1\njobs:\n  - name: x\n', 'config.yaml:1:1 ', /not a PipelineLib config: no top-level `pipelines` key; found `version`, `jobs`/, /top-level `pipelines:` mapping/);
test('empty file', rejects, '', 'config.yaml:1:1 ', /not a PipelineLib config: the file is empty/, /pipelines:/);
test('a list document', rejects, '- a\n', 'config.yaml:1:1 ', /not a mapping/, /pipelines:/);
test('misspelled pipelines', rejects, 'pipeline:\n  test: {stages: []}\n', 'config.yaml:1:1 pipeline', /no top-level `pipelines` key/, /did you mean "pipelines"/);
test('pipelines is a list', rejects, 'pipelines:\n  - test\n', 'config.yaml:2:3 pipelines', /expected a mapping of pipeline names/, /pipelines:/);
test('stages missing', rejects, 'pipelines:\n  p:\n    blubberfile: b.yaml\n', 'config.yaml:3:5 pipelines.p.stages', /is required: expected a list of stages/, /no default stages/);
test('unknown stage key', rejects, `${P}      - name: a\n        biuld: x\n`, 'config.yaml:6:9 pipelines.p.stages[0].biuld', /unknown key "biuld"/, /did you mean "build"/);
test('unknown step key', rejects, `${P}      - name: a\n        build: x\n        run: {argumnts: [a]}\n`, 'config.yaml:7:15 pipelines.p.stages[0].run.argumnts', /unknown key "argumnts"/, /did you mean "arguments"/);
test('env value not a string', rejects, `${P}      - name: a\n        run: {env: {A: 1}}\n`, 'config.yaml:6:24 pipelines.p.stages[0].run.env.A', /expected a string, got the number 1/, /quote it: "1"/);
test('SnakeYAML boolean as stage name', rejects, `${P}      - name: yes\n`, 'config.yaml:5:15 pipelines.p.stages[0].name', /expected a string, got the boolean true/, /quote it: "yes"/);
test('execution not a list of lists', rejects, `${P}      - name: a\n    execution: [a]\n`, 'config.yaml:6:17 pipelines.p.execution[0]', /`execution` graph must be a list of lists/, /\[\[build, test\]/);
test('reserved setup', rejects, `${P}      - name: setup\n`, 'config.yaml:5:15 pipelines.p.stages[0].name', /^setup is a reserved stage name$/, /rename this stage/);
test('reserved teardown', rejects, `${P}      - name: teardown\n`, 'config.yaml:5:15 pipelines.p.stages[0].name', /^teardown is a reserved stage name$/, /rename/);
test('unknown stage in execution', rejects, `${P}      - name: build\n      - name: test\n    execution: [[build, tset]]\n`, 'config.yaml:7:25 pipelines.p.execution[0][1]', /unknown stage `tset` in execution/, /did you mean `test`\? .*empty stage/);
test('duplicate stage names', rejects, `${P}      - name: a\n      - name: a\n`, 'config.yaml:6:15 pipelines.p.stages[1].name', /duplicate stage name `a` \(first defined at stages\[0\], line 5\)/, /last definition/);
test('cycle', rejects, `${P}      - name: a\n      - name: b\n    execution: [[a, b], [b, a]]\n`, 'config.yaml:7:16 pipelines.p.execution', /cycle detected in graph: a → b → a/, /acyclic/);
test('stage twice in a branch', rejects, `${P}      - name: a\n      - name: b\n    execution: [[a, b, a]]\n`, 'config.yaml:7:24 pipelines.p.execution[0][2]', /appears twice in this branch/, /cycle/);
test('setup in execution', rejects, `${P}      - name: a\n    execution: [[setup, a]]\n`, 'config.yaml:6:18 pipelines.p.execution[0][0]', /setup is a reserved stage name/, /adds `setup`/);
test('name that cannot be referenced', rejects, `${P}      - name: a.b\n`, 'config.yaml:5:15 pipelines.p.stages[0].name', /cannot be referenced/, /letters, digits/);
test('stage without name', rejects, `${P}      - build: x\n`, 'config.yaml:5:9 pipelines.p.stages[0].name', /is required/, /every stage needs a `name:`/);
test('deploy without chart', rejects, `${P}      - name: a\n        deploy: {image: x, tag: y}\n`, 'config.yaml:6:17 pipelines.p.stages[0].deploy.chart', /is required/, /.*/);
test('deploy to another cluster', rejects, `${P}      - name: a\n        deploy: {chart: {}, image: x, tag: t, cluster: prod}\n`, 'config.yaml:6:56 pipelines.p.stages[0].deploy.cluster', /only the `ci` cluster/, /set it to ci/);
test('trigger without name', rejects, `${P}      - name: a\n        trigger: {wait: true}\n`, 'config.yaml:6:18 pipelines.p.stages[0].trigger.name', /is required: expected the name of the job/, /.*/);
test('old publish form (kartotherian)', rejects, `${P}      - name: a\n        publish: {type: image}\n`, 'config.yaml:6:19 pipelines.p.stages[0].publish.type', /unknown key "type"/, /old `publish: \{type: image/);
test('shell syntax in an interpolated field, located inside the string', rejects, `${P}      - name: a\n        run: {env: {A: 'x \${FOO:-bar}'}}\n`, 'config.yaml:6:27 pipelines.p.stages[0].run.env.A', /invalid variable expression \(invalid character following name\): \$\{FOO:-bar\}/, /no escape/);
test('unterminated expression', rejects, `${P}      - name: a\n        run: {arguments: ["\${.x"]}\n`, 'config.yaml:6:28 pipelines.p.stages[0].run.arguments[0]', /missing the end delimiter/, /close the expression/);
test('reading a parallel sibling (reference §2.3)', rejects, `${P}      - name: a\n        exports: {who: a}\n      - name: b\n        exports: {who: b}\n      - name: c\n        exports: {bad: '\${b.who}'}\n    execution: [[a, c], [b]]\n`, 'config.yaml:10:24 pipelines.p.stages[2].exports.bad', /cannot access 'b\.\*' values since 'c' does not follow it in the graph/, /\[b, c\]/);
test('unknown namespace', rejects, `${P}      - name: build\n      - name: test\n        run: {image: '\${biuld.imageID}'}\n`, 'config.yaml:7:22 pipelines.p.stages[1].run.image', /cannot access 'biuld\.\*'/, /did you mean `build`/);
test('key the stage never binds', rejects, `${P}      - name: candidate\n        build: production\n      - name: rehearsal\n        deploy: {chart: {}, image: '\${candidate.imageName}', tag: '\${candidate.imageTag}'}\n`, 'config.yaml:8:36 pipelines.p.stages[1].deploy.image', /stage `candidate` binds no `imageName`/, /it binds: stage, imageID, imageLocalName/);
test('run without build (wvui release)', rejects, `${P}      - name: release\n        run: {credentials: [{id: T, name: T}]}\n`, 'config.yaml:6:14 pipelines.p.stages[0].run.image', /run\.image defaults to `\$\{\.imageID\}`, but `imageID` is not bound in stage `release`/, /add `build: <variant>`/);
test('own value bound by a later step', rejects, `${P}      - name: a\n        build: x\n        exports: {late: y}\n        run: {env: {A: '\${.late}'}}\n`, 'config.yaml:8:24 pipelines.p.stages[0].run.env.A', /`late` is not bound in stage `a`/, /export it earlier/);
test('setup key typo', rejects, `${P}      - name: a\n        build: x\n        exports: {p: '\${setup.projet}'}\n`, 'config.yaml:7:22 pipelines.p.stages[0].exports.p', /setup binds no `projet`/, /did you mean `setup.project`/);
test('excludes with a URL context', rejects, `${P}      - name: a\n        build: {context: 'https://example.org/x.git', excludes: [a]}\n`, 'config.yaml:6:65 pipelines.p.stages[0].build.excludes', /excludes may only be used with a local build context/, /is a URL/);
test('run.image is a name, not an ID', rejects, `${P}      - name: a\n        run: {image: node:18}\n`, 'config.yaml:6:22 pipelines.p.stages[0].run.image', /must be an image ID/, /\$\{\.imageID\}/);
test('$each variable typo in $yield', rejects, `${P}      - name: a\n        build: x\n        run: {arguments: {$each: v, $in: 'a b', $yield: '\${.w}'}}\n`, 'config.yaml:7:57 pipelines.p.stages[0].run.arguments["$yield"]', /`\$each` binds no `w`/, /\$each/);

test('all errors of a file are collected', (t) => {
  const errors = errorsOf(`${P}      - name: setup\n      - name: a\n        biuld: x\n    execution: [[setup, a], [a, zz]]\n`);
  t.true(errors.length >= 4, errors.map((e) => e.message).join('\n'));
  t.true(errors.every((e) => e.file === 'config.yaml' && e.line > 0 && e.col > 0 && e.path !== ''));
});

test('each pipeline is validated on its own', (t) => {
  const errors = errorsOf('pipelines:\n  good:\n    stages: [{name: a}]\n  bad:\n    stages: [{name: b, run: 3}]\n');
  t.deepEqual(errors.map((e) => e.path), ['pipelines.bad.stages[0].run']);
});

const warns = test.macro({
  exec(t, yaml: string, expected: string, message: RegExp) {
    const warnings = warningsOf(yaml);
    const found = warnings.find((w) => where(w) === expected && message.test(w.message));
    t.truthy(found, warnings.map((w) => `${where(w)}: ${w.message}`).join('\n'));
    t.truthy(found?.hint);
  },
  title: (title) => `warns: ${title}`,
});

test('stage left out of execution', warns, `${P}      - name: a\n      - name: b\n    execution: [[a]]\n`, 'config.yaml:6:15 pipelines.p.stages[1].name', /is not in `execution`, so it never runs/);
test('empty branch', warns, `${P}      - name: a\n    execution: [[a], []]\n`, 'config.yaml:6:22 pipelines.p.execution[1]', /empty execution branch/);
test('unknown pipeline key', warns, `${P}      - name: a\n    stage: x\n`, 'config.yaml:6:5 pipelines.p.stage', /unknown pipeline key "stage" is ignored/);
test('unknown top-level key', warns, `${P}      - name: a\nversion: 2\n`, 'config.yaml:6:1 version', /unknown top-level key "version"/);
test('no stages', warns, 'pipelines:\n  p:\n    stages: []\n', 'config.yaml:3:13 pipelines.p.stages', /no stages/);
test('no pipelines', warns, 'pipelines: {}\n', 'config.yaml:1:12 pipelines', /no pipelines/);
test('setup.httpProxy without default', warns, `${P}      - name: a\n        build: x\n        run: {env: {P: '\${setup.httpProxy}'}}\n`, 'config.yaml:7:24 pipelines.p.stages[0].run.env.P', /only when the runner has an HTTP proxy/);
test('SnakeYAML boolean env key', warns, `${P}      - name: a\n        build: x\n        run: {env: {NO: '1'}}\n`, 'config.yaml:7:21 pipelines.p.stages[0].run.env.false', /the key `NO` is read by SnakeYAML as the boolean false/);
