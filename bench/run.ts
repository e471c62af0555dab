/**
 * `npm run bench [-- --json] [-- --only NAME[,NAME…]]`: benchmarks, printed side by side with their
 * baselines as ratios (not tests: nothing here asserts a wall-clock figure). Sections: startup,
 * compile, build-cache, dev-loop (busybox static file), node-service (a Node service with npm
 * dependencies and a secret), ci (green twice), up (staging copy from nothing vs compose).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCacheBench } from './build-cache.js';
import { ciBench, upBench } from './ci-up.js';
import { compileBench } from './compile.js';
import { devLoopBench } from './dev-loop.js';
import { nodeServiceBench } from './node-service.js';
import { startup } from './startup.js';
import type { BenchSection } from './stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',') : undefined;

const sections: Record<string, () => Promise<BenchSection>> = {
  startup: () => startup(root),
  compile: () => compileBench(),
  'build-cache': () => buildCacheBench(root),
  'dev-loop': () => devLoopBench(root),
  'node-service': () => nodeServiceBench(root),
  ci: () => ciBench(root),
  up: () => upBench(root),
};

const unknown = (only ?? []).filter((name) => !(name in sections));
if (unknown.length) {
  process.stderr.write(`unknown bench section(s) ${unknown.join(', ')}; known: ${Object.keys(sections).join(', ')}\n`);
  process.exit(2);
}

const results: BenchSection[] = [];
for (const [name, run] of Object.entries(sections)) {
  if (only && !only.includes(name)) continue;
  if (!json) process.stderr.write(`running ${name}…\n`);
  results.push(await run());
}

if (json) {
  const metrics = Object.assign({}, ...results.map((r) => r.metrics)) as Record<string, unknown>;
  process.stdout.write(`${JSON.stringify({ node: process.version, ...metrics })}\n`);
} else {
  for (const section of results) {
    process.stdout.write(`\n## ${section.name}\n`);
    const widths = section.rows[0]!.map((_, i) => Math.max(...section.rows.map((r) => r[i]!.length)));
    for (const row of section.rows) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
  }
}
