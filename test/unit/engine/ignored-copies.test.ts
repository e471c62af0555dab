/** Issue 15, item 10: a .dockerignore excluding what a variant copies names the user's file and pattern. */
import test from 'ava';
import { ignoreMatcher } from '../../../src/docker/build-context.js';
import { ignoredCopies } from '../../../src/engine/ignored-copies.js';
import { runCli } from '../../helpers/cli.js';
import { tempProject } from '../../helpers/tmp.js';

const view = (source: string) => ({ kind: 'view' as const, path: '.devpipe-context/local', source, exclude: [], mirror: true });

const cases = test.macro({
  exec(t, ignore: string, sources: string[], expected: { source: string; line: number; pattern: string }[]) {
    const found = ignoredCopies([{ variant: 'production', extraEntries: sources.map(view) }], ignore, ignoreMatcher);
    t.deepEqual(
      found.map(({ source, line, pattern }) => ({ source, line, pattern })),
      expected,
    );
  },
  title: (provided = '') => `ignored copies: ${provided}`,
});

test('a file excluded by name', cases, '# comment\nnotes.tmp\nVERSION\n', ['VERSION'], [{ source: 'VERSION', line: 3, pattern: 'VERSION' }]);
test('a file under an excluded directory', cases, 'src/\n', ['src/app.js'], [{ source: 'src/app.js', line: 1, pattern: 'src/' }]);
test('a glob pattern', cases, '*.txt\n', ['hello.txt'], [{ source: 'hello.txt', line: 1, pattern: '*.txt' }]);
test('re-included with !', cases, 'VERSION\n!VERSION\n', ['VERSION'], []);
test('copying the whole project (.) is left to .dockerignore', cases, '*\n', ['.'], []);
test('nothing excluded', cases, 'notes.tmp\n', ['VERSION', 'src'], []);

test('devpipe build: exit 2 naming .dockerignore, its line and pattern, not .devpipe-context/local', async (t) => {
  const dir = await tempProject({
    '.dockerignore': 'notes.tmp\nVERSION\n',
    VERSION: '1.0\n',
    '.pipeline/blubber.yaml': 'version: v4\nbase: debian:bookworm-slim\nvariants:\n  production:\n    copies:\n      - from: local\n        source: VERSION\n        destination: ./VERSION\n',
  });
  const result = await runCli(['-C', dir, 'build', 'production'], { env: { DOCKER_HOST: 'unix:///tmp/devpipe-no-engine-needed.sock' } });
  t.is(result.exitCode, 2, result.stderr);
  t.regex(result.stderr, /error: \S*\.dockerignore:2: the pattern "VERSION" excludes VERSION, which variant production copies/);
  t.regex(result.stderr, /hint: remove the pattern from \S*\.dockerignore or add `!VERSION` after it/);
  t.notRegex(result.stderr, /\.devpipe-context/);
});
