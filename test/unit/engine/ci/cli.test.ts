/** `devpipe ci` paths that end before any engine is needed: --graph and every refusal (exit 2). */
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { repoRoot, runCli } from '../../../helpers/cli.js';
import { tempProject } from '../../../helpers/tmp.js';

const fixture = path.join(repoRoot, 'test/fixtures/ci-repo');
const noEngine = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };

async function copyFixture(): Promise<string> {
  const dir = await tempProject({});
  await cp(fixture, dir, { recursive: true });
  return dir;
}

test('--graph prints the frames and DOT of every pipeline without an engine', async (t) => {
  const result = await runCli(['-C', fixture, 'ci', '--graph'], { env: noEngine });
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stdout, /pipeline test:\nframe 1: unit ∥ lint\n/);
  t.regex(result.stdout, /pipeline publish:\nframe 1: versions\nframe 2: matrix ∥ artifact\nframe 3: candidate/);
  t.regex(result.stdout, /digraph "flaky" \{[\s\S]*"prepare" -> "check";/);
});

test('--graph of one pipeline', async (t) => {
  const result = await runCli(['-C', fixture, 'ci', '--graph', 'flaky'], { env: noEngine });
  t.is(result.exitCode, 0);
  t.notRegex(result.stdout, /pipeline test:/);
  t.regex(result.stdout, /frame 2: check ∥ sibling/);
});

test('test mode refuses publish before anything runs: exit 2, located, in CI\'s words', async (t) => {
  const result = await runCli(['-C', fixture, 'ci', 'publish'], { env: noEngine });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /\.pipeline\/config\.yaml:\d+:\d+ pipelines\.publish\.stages\[3\]\.publish: stage `candidate` contains an action \(`publish`\) that is not allowed by this pipeline in test mode/);
  t.regex(result.stderr, /--mode gate/);
});

test('a reference to a non-ancestor stage: exit 2, located', async (t) => {
  const dir = await tempProject({
    '.pipeline/blubber.yaml': 'version: v4\nbase: debian:bookworm-slim\nvariants:\n  a: {}\n  b: {}\n',
    '.pipeline/config.yaml': `pipelines:
  p:
    blubberfile: blubber.yaml
    stages:
      - name: a
      - name: b
        build: b
        run:
          arguments: ['\${a.output}']
    execution:
      - [a]
      - [b]
`,
  });
  const result = await runCli(['-C', dir, 'ci'], { env: noEngine });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /config\.yaml:9:\d+ pipelines\.p\.stages\[1\]\.run\.arguments\[0\]: `\$\{a\.output\}`: cannot access 'a\.\*' values since 'b' does not follow it in the graph/);
  t.regex(result.stderr, /add an arc such as `\[a, b\]`/);
});

test('a missing default blubberfile and an unknown variant are reported before running', async (t) => {
  const dir = await tempProject({
    '.pipeline/config.yaml': 'pipelines:\n  test:\n    stages:\n      - name: unit\n  other:\n    blubberfile: blubber.yaml\n    stages:\n      - name: nope\n',
    '.pipeline/blubber.yaml': 'version: v4\nbase: debian:bookworm-slim\nvariants:\n  unit: {}\n',
  });
  const missing = await runCli(['-C', dir, 'ci', 'test'], { env: noEngine });
  t.is(missing.exitCode, 2);
  t.regex(missing.stderr, /pipeline `test` has no `blubberfile`, so it builds from the default \.pipeline\/test\/blubber\.yaml, which does not exist/);
  const variant = await runCli(['-C', dir, 'ci', 'other'], { env: noEngine });
  t.is(variant.exitCode, 2);
  t.regex(variant.stderr, /nope/);
});

test('an unknown pipeline is a usage error naming the defined ones', async (t) => {
  const result = await runCli(['-C', fixture, 'ci', 'tset'], { env: noEngine });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /Pipeline 'tset' is not defined in project's '.*config\.yaml'/);
  t.regex(result.stderr, /pipelines: test, publish, flaky, secrets/);
});

test('--from needs --rerun; --rerun needs a recorded run', async (t) => {
  const dir = await copyFixture();
  const from = await runCli(['-C', dir, 'ci', '--from', 'check'], { env: noEngine });
  t.is(from.exitCode, 2);
  t.regex(from.stderr, /--from needs --rerun/);
  const rerun = await runCli(['-C', dir, 'ci', '--rerun', '--from', 'check'], { env: noEngine });
  t.is(rerun.exitCode, 2);
  t.regex(rerun.stderr, /there is no recorded run to rerun/);
  t.regex(rerun.stderr, /\.devpipe\/runs/);
  const named = await runCli(['-C', dir, 'ci', '--rerun', 'nope'], { env: noEngine });
  t.is(named.exitCode, 2);
  t.regex(named.stderr, /there is no recorded run nope/);
});

test('no .pipeline/config.yaml: exit 2 with what to do', async (t) => {
  const dir = await tempProject({ 'README.md': 'x' });
  const result = await runCli(['-C', dir, 'ci'], { env: noEngine });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /no PipelineLib config at .*\.pipeline\/config\.yaml/);
});

test('a secrets file that cannot be read or is not a mapping: exit 2 before the engine is needed', async (t) => {
  const missing = await runCli(['-C', fixture, 'ci', 'secrets'], { env: { ...noEngine, DEVPIPE_SECRETS_FILE: 'nope.yaml' } });
  t.is(missing.exitCode, 2);
  t.regex(missing.stderr, /cannot read the secrets file .*nope\.yaml/);
  const dir = await copyFixture();
  await writeFile(path.join(dir, 'secrets.yaml'), '- a\n- b\n');
  const list = await runCli(['-C', dir, 'ci', 'secrets'], { env: { ...noEngine, DEVPIPE_SECRETS_FILE: 'secrets.yaml' } });
  t.is(list.exitCode, 2);
  t.regex(list.stderr, /secrets\.yaml:1:1 expected a mapping, got a list/);
});

test('no pipeline name in test mode: pipelines CI refuses in test are skipped and listed, the rest runs (no exit 2)', async (t) => {
  const result = await runCli(['-C', fixture, 'ci'], { env: noEngine });
  // It got past every spec check and stopped only at the engine (exit 3), after listing the skip.
  t.is(result.exitCode, 3, result.stderr);
  t.regex(result.stderr, /skipped pipeline publish: `publish` \(stage candidate\) not allowed in test mode \(allowed only in gate\/postmerge runs; run it with `devpipe ci --mode postmerge publish`\)/);
  t.notRegex(result.stderr, /fix the spec/);
});

test('a named pipeline the mode refuses: exit 2, and the hint says the file is fine and how to run it', async (t) => {
  const result = await runCli(['-C', fixture, 'ci', 'publish'], { env: noEngine });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /hint: the file is valid: CI runs publish from gate or postmerge, not test; run `devpipe ci --mode postmerge publish`/);
});

test('an error in a pipeline that does not run is a warning; running that pipeline refuses it', async (t) => {
  const dir = await tempProject({
    '.pipeline/blubber.yaml': 'version: v4\nbase: debian:bookworm-slim\nvariants:\n  unit: {}\n  production: {}\n',
    '.pipeline/config.yaml': `pipelines:
  test:
    blubberfile: blubber.yaml
    stages:
      - name: unit
        build: unit
  publish:
    blubberfile: blubber.yaml
    stages:
      - name: production
        build: production
        run:
          arguments: ['\${nope.output}']
`,
  });
  const test1 = await runCli(['-C', dir, 'ci', 'test'], { env: noEngine });
  t.is(test1.exitCode, 3, test1.stderr);
  t.regex(test1.stderr, /warn.*config\.yaml:13:\d+ pipelines\.publish\.stages\[0\]\.run\.arguments\[0\]: .*pipeline `publish` does not run now/);
  const publish = await runCli(['-C', dir, 'ci', 'publish'], { env: noEngine });
  t.is(publish.exitCode, 2);
  t.regex(publish.stderr, /config\.yaml:13:\d+ pipelines\.publish\.stages\[0\]\.run\.arguments\[0\]/);
});

test('--graph=dot prints only Graphviz DOT (as docs/pipeline.md shows), --graph=text only the frames', async (t) => {
  const dot = await runCli(['-C', fixture, 'ci', '--graph=dot', 'publish'], { env: noEngine });
  t.is(dot.exitCode, 0, dot.stderr);
  t.regex(dot.stdout, /^digraph "publish" \{/);
  t.notRegex(dot.stdout, /frame 1:/);
  const text = await runCli(['-C', fixture, 'ci', '--graph=text'], { env: noEngine });
  t.is(text.exitCode, 0, text.stderr);
  t.regex(text.stdout, /pipeline test:\nframe 1: unit ∥ lint\n/);
  t.notRegex(text.stdout, /digraph/);
  // A value that is not a format is the pipeline the user meant.
  const named = await runCli(['-C', fixture, 'ci', '--graph', 'flaky'], { env: noEngine });
  t.is(named.exitCode, 0, named.stderr);
  t.regex(named.stdout, /pipeline flaky:/);
  t.notRegex(named.stdout, /pipeline test:/);
});
