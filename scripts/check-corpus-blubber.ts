/**
 * Dev script (not a test): loads every Blubber file of the shared corpus (../shared/corpus, see
 * its MANIFEST.tsv) and renders every variant of every file that loads. Prints rejected files and
 * variants with their located errors, and a summary. Nothing may crash.
 *
 *   npx tsx scripts/check-corpus-blubber.ts [corpus-dir] [--verbose]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileVariant } from '../src/compile/index.js';
import { loadBlubber } from '../src/spec/blubber/index.js';
import { formatIssue } from '../src/spec/issues.js';

const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const corpus = resolve(args.find((a) => !a.startsWith('--')) ?? join(import.meta.dirname, '..', '..', 'shared', 'corpus'));
const manifest = join(corpus, 'MANIFEST.tsv');
if (!existsSync(manifest)) {
  console.log(`no corpus at ${corpus} (MANIFEST.tsv missing); nothing to check`);
  process.exit(0);
}

const rows = readFileSync(manifest, 'utf8')
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((line) => line.split('\t'))
  .filter((cols) => cols[5] !== undefined && cols[5] !== '-');

const counts = { files: 0, filesOk: 0, filesRejected: 0, filesCrashed: 0, v3: 0, variants: 0, variantsOk: 0, variantsRejected: 0, variantsCrashed: 0, warnings: 0, buildkit: 0 };

for (const [dir, , , path, , version] of rows) {
  if (dir === undefined || path === undefined) continue;
  const display = `${dir}/${path}`;
  counts.files++;
  if (version?.includes('v3')) counts.v3++;
  let text: string;
  try {
    text = readFileSync(join(corpus, dir, path), 'utf8');
  } catch (error) {
    console.log(`MISSING ${display}: ${String(error)}`);
    counts.filesCrashed++;
    continue;
  }
  let loaded: ReturnType<typeof loadBlubber>;
  try {
    loaded = loadBlubber(text, display);
  } catch (error) {
    counts.filesCrashed++;
    console.log(`CRASH (load) ${display}\n  ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    continue;
  }
  if (!loaded.ok) {
    counts.filesRejected++;
    console.log(`REJECTED ${display}`);
    for (const issue of [...loaded.errors, ...loaded.warnings]) console.log(`  ${formatIssue(issue)}`);
    continue;
  }
  counts.filesOk++;
  counts.warnings += loaded.warnings.length;
  if (verbose) for (const issue of loaded.warnings) console.log(`  ${formatIssue(issue)}`);
  for (const variant of Object.keys(loaded.value.variants)) {
    counts.variants++;
    try {
      const compiled = compileVariant(loaded.value, variant);
      if (compiled.ok) {
        counts.variantsOk++;
        if (compiled.value.buildkit) counts.buildkit++;
        if (verbose) {
          console.log(`OK ${display} ${variant}${compiled.value.buildkit ? ' (buildkit)' : ''}`);
          for (const issue of compiled.value.warnings) console.log(`  ${formatIssue(issue)}`);
        }
      } else {
        counts.variantsRejected++;
        console.log(`REJECTED ${display} variant ${variant}`);
        for (const issue of compiled.errors) console.log(`  ${formatIssue(issue)}`);
      }
    } catch (error) {
      counts.variantsCrashed++;
      console.log(`CRASH (compile) ${display} variant ${variant}\n  ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }
}

console.log('');
console.log(`Blubber files: ${counts.files} (${counts.v3} v3) — loaded ${counts.filesOk}, rejected ${counts.filesRejected}, crashed ${counts.filesCrashed}; ${counts.warnings} warnings`);
console.log(`Variants of loaded files: ${counts.variants} — rendered ${counts.variantsOk} (${counts.buildkit} need BuildKit), rejected ${counts.variantsRejected}, crashed ${counts.variantsCrashed}`);
process.exit(counts.filesCrashed + counts.variantsCrashed > 0 ? 1 : 0);
