/**
 * The short seeded fuzzing run inside `npm test` (the long one is `npm run fuzz`), and the
 * regression corpus: every input that once crashed a loader (test/fuzz/corpus/<kind>-*.yaml)
 * must now be refused or read, located, deterministically.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { repoRoot } from '../helpers/cli.js';
import { check, fuzz, type Kind } from '../fuzz/harness.js';

test('short seeded fuzz run: 300 inputs over Blubber, config.yaml and devpipe.yaml, 0 findings', (t) => {
  const result = fuzz(100, 15_015);
  t.log(`${result.inputs} inputs in ${result.seconds.toFixed(1)} s (${(result.inputs / result.seconds).toFixed(0)}/s)`);
  t.deepEqual(result.findings, []);
  t.true(result.inputs >= 300);
});

const corpus = path.join(repoRoot, 'test/fuzz/corpus');
for (const name of readdirSync(corpus).filter((n) => n.endsWith('.yaml'))) {
  test(`regression corpus: ${name}`, (t) => {
    const kind = name.split('-')[0] as Kind;
    t.is(check(kind, readFileSync(path.join(corpus, name), 'utf8')), undefined);
  });
}
