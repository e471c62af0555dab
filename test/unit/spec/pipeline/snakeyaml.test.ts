/**
 * Issue 13 item 9: Jenkins reads .pipeline/config.yaml with SnakeYAML (YAML 1.1 without the
 * one-letter booleans). The scalar table itself is in test/unit/spec/yaml-dialects.test.ts; here,
 * what it changes for a PipelineLib file.
 */
import test from 'ava';
import { groovyString } from '../../../../src/spec/pipeline/index.js';
import { errorsOf, load, warningsOf, where } from './_helpers.js';

const P = 'pipelines:\n  p:\n    blubberfile: blubber.yaml\n    stages:\n';

test('`$each: n` is a valid loop variable (n is a string to SnakeYAML)', (t) => {
  const config = load(`${P}      - name: a\n        build: x\n        run:\n          arguments: {$each: n, $in: "one two", $yield: "\${.n}"}\n`);
  const run = config.pipelines[0]?.stages[0]?.run;
  t.deepEqual((run?.arguments as { $each?: unknown } | undefined)?.$each, 'n');
});

test('`y`, `n`, `Y`, `N` are strings: a stage named y is valid', (t) => {
  const config = load(`${P}      - name: y\n        build: x\n      - name: N\n        build: x\n`);
  t.deepEqual(config.pipelines[0]?.stages.map((s) => s.name), ['y', 'N']);
});

test('`yes`/`on` are booleans to SnakeYAML: refused where a string is expected, the hint names the text', (t) => {
  const errors = errorsOf(`${P}      - name: on\n`);
  const error = errors.find((e) => where(e) === 'config.yaml:5:15 pipelines.p.stages[0].name');
  t.truthy(error);
  t.regex(error?.message ?? '', /expected a string, got the boolean true/);
  t.regex(error?.hint ?? '', /quote it: "on"/);
});

test('an unquoted date is a timestamp to SnakeYAML: refused as a string value, and printed as Groovy prints a Date', (t) => {
  const errors = errorsOf(`${P}      - name: a\n        build: x\n        run: {env: {RELEASED: 2024-01-31}}\n`);
  t.regex(errors.map((e) => `${where(e)} ${e.message}`).join('\n'), /run\.env\.RELEASED expected a string, got the timestamp 2024-01-31/);
  t.is(groovyString(new Date('2024-01-31T00:00:00Z')), 'Wed Jan 31 00:00:00 UTC 2024');
});

test('duplicate keys: SnakeYAML keeps the last, devpipe warns with both locations', (t) => {
  const warnings = warningsOf(`${P}      - name: a\n        build: x\n        build: y\n`);
  t.true(warnings.some((w) => where(w) === 'config.yaml:7:9 pipelines.p.stages[0].build' && /replaces the one at line 6, col 9 \(PipelineLib \(SnakeYAML\) keeps the last\)/.test(w.message)));
  t.is(load(`${P}      - name: a\n        build: x\n        build: y\n`).pipelines[0]?.stages[0]?.build?.variant, 'y');
});

test('a flow sequence continued left of its key is read as SnakeYAML reads it', (t) => {
  const config = load(`${P}      - name: a\n        build: x\n    execution: [[a],\n    ]\n`);
  t.deepEqual(config.pipelines[0]?.stages.map((s) => s.name), ['a']);
});

test('a second document is refused: readYaml would return a list of documents', (t) => {
  t.regex(errorsOf(`${P}      - name: a\n---\nx: 1\n`)[0]?.message ?? '', /invalid YAML/);
});
