/** Compile time of a 50-variant Blubber spec (load + validate + compile every variant). */
import { compileVariant } from '../src/compile/index.js';
import { loadBlubber } from '../src/spec/blubber/index.js';
import { median, type BenchSection } from './stats.js';

export function fiftyVariantSpec(): string {
  const lines = ['version: v4', 'base: debian:bookworm-slim', 'apt: {packages: [curl]}', 'runs: {environment: {APP: bench}}', 'variants:'];
  lines.push('  base-build:', '    builders:', '      - node: {requirements: [package.json, package-lock.json]}', '    copies: [local]');
  for (let i = 1; i < 50; i++) {
    lines.push(`  v${String(i).padStart(2, '0')}:`);
    lines.push(`    includes: [base-build]`);
    lines.push(`    apt: {packages: [pkg-${i}]}`);
    lines.push(`    builders:`, `      - custom: {command: [make, target-${i}], requirements: [Makefile]}`);
    lines.push(`    copies:`, `      - from: base-build`, `        source: /srv/app/dist-${i}`, `        destination: /srv/app/dist`);
    lines.push(`    entrypoint: [node, server-${i}.js]`);
  }
  return `${lines.join('\n')}\n`;
}

export async function compileBench(runs = 20): Promise<BenchSection> {
  const text = fiftyVariantSpec();
  const samples: number[] = [];
  let variants = 0;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const loaded = loadBlubber(text, 'bench.yaml');
    if (!loaded.ok) throw new Error('bench spec does not load');
    variants = 0;
    for (const name of Object.keys(loaded.value.variants)) {
      const compiled = compileVariant(loaded.value, name, { localContext: 'views' });
      if (!compiled.ok) throw new Error(`bench variant ${name} does not compile`);
      variants++;
    }
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const p50 = median(samples);
  return {
    name: 'compile (50-variant Blubber spec, load + validate + compile all)',
    rows: [[`${variants} variants`, `${p50.toFixed(1)} ms`, `${(p50 / variants).toFixed(2)} ms/variant`]],
    metrics: { compile50VariantsP50Ms: p50 },
  };
}
