/**
 * Issue 15, items 3 and 8: alias bombs, absurd sizes and deep nesting are located spec errors in
 * every loader (never a crash), and reading grows linearly with the number of entries.
 */
import { readFileSync, readdirSync } from 'node:fs';
import test from 'ava';
import { loadBlubber } from '../../../src/spec/blubber/load.js';
import { loadPipelineConfig } from '../../../src/spec/pipeline/load.js';
import { MAX_STAGES } from '../../../src/spec/pipeline/rules.js';
import { loadStack } from '../../../src/spec/stack/index.js';
import { MAX_SPEC_BYTES } from '../../../src/spec/yaml-limits.js';
import type { SpecIssue, SpecResult } from '../../../src/spec/issues.js';

const builtins = readdirSync('profiles').map((n) => ({ name: n.replace(/\.yaml$/, ''), file: `profiles/${n}`, text: readFileSync(`profiles/${n}`, 'utf8') }));

const loaders: Record<string, (text: string) => SpecResult<unknown>> = {
  'devpipe.yaml': (text) => loadStack(text, '.pipeline/devpipe.yaml', { directoryName: 'p', builtins }),
  'blubber.yaml': (text) => loadBlubber(text, '.pipeline/blubber.yaml'),
  'config.yaml': (text) => loadPipelineConfig(text, '.pipeline/config.yaml'),
};

function bomb(levels = 9): string {
  const lines = ['x0: &x0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < levels; i++) lines.push(`x${i}: &x${i} [${Array(9).fill(`*x${i - 1}`).join(',')}]`);
  return `${lines.join('\n')}\n`;
}

function firstError(result: SpecResult<unknown>): SpecIssue {
  if (result.ok) throw new Error('expected a refusal');
  return result.errors[0]!;
}

for (const [name, load] of Object.entries(loaders)) {
  test(`${name}: an alias bomb is a located spec error`, (t) => {
    const error = firstError(load(bomb()));
    t.regex(error.message, /aliases expand to more than \d+ copies/);
    t.is(error.line, 2);
    t.true(error.col > 1);
  });

  test(`${name}: a file over the size limit is refused with the limit named`, (t) => {
    const text = `# ${'x'.repeat(MAX_SPEC_BYTES)}\n`;
    const error = firstError(load(text));
    t.regex(error.message, /devpipe reads spec files up to 1\.0 MB/);
    t.is(error.line, 1);
  });

  test(`${name}: deep nesting is a located spec error, not a stack overflow`, (t) => {
    const error = firstError(load(`a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`));
    t.is(error.line, 1);
    t.regex(error.message, /nesting deeper than \d+ levels|invalid YAML/);
  });
}

test('duplicate keys are still found, located at the repeated key', (t) => {
  const error = firstError(loaders['devpipe.yaml']!('version: v1\nservices:\n  a: {image: busybox:stable}\n  a: {image: busybox:stable}\n'));
  t.is(error.line, 4);
  t.is(error.col, 3);
  t.regex(error.message, /unique/);
});

test(`a pipeline of more than ${MAX_STAGES} stages is refused with the limit`, (t) => {
  const stages = Array.from({ length: MAX_STAGES + 1 }, (_, i) => `      - name: s${i}\n`).join('');
  const error = firstError(loaders['config.yaml']!(`pipelines:\n  test:\n    stages:\n${stages}`));
  t.regex(error.message, new RegExp(`up to ${MAX_STAGES} stages`));
  t.is(error.path, 'pipelines.test.stages');
});

function envSpec(entries: number): string {
  let text = 'version: v1\nservices:\n  a:\n    image: busybox:stable\n    env:\n';
  for (let i = 0; i < entries; i++) text += `      KEY_${i}: value-${i}\n`;
  return text;
}

function timed(fn: () => void): number {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

// The one timing check: a ratio, not a wall-clock budget. Quadratic reading (the `yaml`
// package's duplicate-key check) made 10× the entries take ~100× as long.
test('reading is linear: 10× the env entries take far less than 100× the time', (t) => {
  const load = loaders['devpipe.yaml']!;
  load(envSpec(2000)); // warm up
  const small = Math.min(timed(() => load(envSpec(2000))), timed(() => load(envSpec(2000))));
  const large = timed(() => t.true(load(envSpec(20000)).ok));
  t.log(`2 000 entries ${small.toFixed(0)} ms, 20 000 entries ${large.toFixed(0)} ms (×${(large / small).toFixed(1)})`);
  t.true(large / small < 30, `ratio ${(large / small).toFixed(1)}`);
});
