/**
 * `npm run fuzz`: the long fuzzing run. FUZZ_INPUTS (default 10 000, over the three kinds) and
 * FUZZ_SEED (default: the time). Prints inputs/second; a finding is written into
 * test/fuzz/corpus/ (the regression corpus that test/unit/fuzz.test.ts replays) and exits 1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/cli.js';
import { fuzz, type Kind } from './harness.js';

const total = Number(process.env.FUZZ_INPUTS ?? '10000');
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const kinds: Kind[] = ['blubber', 'pipeline', 'stack'];
const result = fuzz(Math.ceil(total / kinds.length), seed, kinds);
const rate = result.inputs / result.seconds;
process.stdout.write(`fuzz: seed ${seed}, ${result.inputs} inputs in ${result.seconds.toFixed(1)} s (${rate.toFixed(0)} inputs/s), ${result.findings.length} finding(s)\n`);
for (const finding of result.findings) {
  const dir = path.join(repoRoot, 'test/fuzz/corpus');
  mkdirSync(dir, { recursive: true });
  const name = `${finding.kind}-${seed}.yaml`;
  writeFileSync(path.join(dir, name), finding.text);
  process.stdout.write(`  ${finding.kind}: ${finding.finding}\n  saved as test/fuzz/corpus/${name}\n`);
}
process.exitCode = result.findings.length > 0 ? 1 : 0;
