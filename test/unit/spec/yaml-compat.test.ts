/**
 * The flow-indentation leniency must never change what a document means: a seeded generator of
 * nested values, written by the `yaml` package itself in block and flow styles (narrow lines force
 * multi-line flow collections), is read back unchanged in both dialects (a line may be indented
 * further inside a flow collection, which means nothing there).
 */
import test from 'ava';
import { stringify } from 'yaml';
import { reindentFlowContinuations } from '../../../src/spec/yaml-compat.js';
import { parseYaml } from '../../../src/spec/yaml.js';

/** mulberry32: a small seeded PRNG, so a failure is reproducible from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const words = ['a', 'key', 'x y', '[', '{a}', '#c', "it's", 'say "hi"', '- item', 'k: v', '|', '>'];

function value(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth > 3 || pick < 0.4) return words[Math.floor(next() * words.length)]!;
  if (pick < 0.7) return Array.from({ length: 1 + Math.floor(next() * 4) }, () => value(next, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < 1 + Math.floor(next() * 4); i++) out[`k${i}${words[Math.floor(next() * 3)]!.replace(/\W/g, '')}`] = value(next, depth + 1);
  return out;
}

test('documents the yaml package writes are read back unchanged (300 seeded cases)', (t) => {
  for (let seed = 1; seed <= 300; seed++) {
    const next = random(seed);
    const doc = { root: value(next, 0) };
    const text = stringify(doc, { collectionStyle: seed % 2 === 0 ? 'flow' : 'any', lineWidth: 30, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
    for (const dialect of ['go-yaml-v2', 'snakeyaml'] as const) {
      const parsed = parseYaml(text, 'f.yaml', { dialect });
      if (!parsed.ok) return t.fail(`seed ${seed} (${dialect}): ${parsed.errors.map((e) => e.message).join('; ')}\n${text}`);
      t.deepEqual(parsed.value, doc, `seed ${seed} (${dialect})`);
    }
  }
});

test('continuation lines at or left of the owner are indented past it; the rest is untouched', (t) => {
  const { text, shifts } = reindentFlowContinuations('a:\n  b: [1,\n  2]\n  - c: {x: 1,\n  y: 2}\n');
  t.is(text, 'a:\n  b: [1,\n   2]\n  - c: {x: 1,\n     y: 2}\n');
  t.deepEqual([...shifts], [[3, 1], [5, 3]]);
});

test('brackets inside quotes, comments, block scalars and mid-scalar are not flow collections', (t) => {
  const text = 'a: "x [y"\nb: it [is\n# c: [\nd: |\n  e: [\nf: 1\n';
  t.deepEqual(reindentFlowContinuations(text), { text, shifts: new Map() });
});
