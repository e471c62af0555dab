/**
 * The fuzzing harness (issue 15): a fast-check generator of Blubber, config.yaml and devpipe.yaml
 * documents (mutations of the fixture files, wrong types, deep nesting, aliases, huge scalars,
 * odd unicode) fed to every loader and the compiler. Properties: nothing throws (a refusal is a
 * result with located issues, never an exception, so never exit 70), every refusal is located
 * inside the file, and the same input gives the same output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { compileVariant } from '../../src/compile/compile.js';
import { loadBlubber } from '../../src/spec/blubber/load.js';
import type { SpecIssue, SpecResult } from '../../src/spec/issues.js';
import { loadPipelineConfig } from '../../src/spec/pipeline/load.js';
import { loadStack } from '../../src/spec/stack/index.js';
import { repoRoot } from '../helpers/cli.js';

export type Kind = 'blubber' | 'pipeline' | 'stack';

function files(dir: string, filter: (name: string) => boolean): string[] {
  try {
    return readdirSync(path.join(repoRoot, dir), { recursive: true, encoding: 'utf8' })
      .filter(filter)
      .map((name) => readFileSync(path.join(repoRoot, dir, name), 'utf8'));
  } catch {
    return [];
  }
}

export const seeds: Record<Kind, string[]> = {
  blubber: [...files('test/fixtures/blubber', (n) => n.endsWith('.yaml')), ...files('fixtures', (n) => n.endsWith('blubber.yaml'))],
  pipeline: files('test/fixtures', (n) => n.endsWith('config.yaml')),
  stack: files('fixtures', (n) => n.endsWith('devpipe.yaml')),
};
if (seeds.pipeline.length === 0) seeds.pipeline.push('pipelines:\n  test:\n    blubberfile: blubber.yaml\n    stages:\n      - name: unit\n        build: test\n        run: true\n');
if (seeds.stack.length === 0) seeds.stack.push('version: v1\nservices:\n  web:\n    image: busybox:stable\n    ports: ["18080:8080"]\n');

const builtins = readdirSync(path.join(repoRoot, 'profiles')).map((n) => ({ name: n.replace(/\.yaml$/, ''), file: `profiles/${n}`, text: readFileSync(path.join(repoRoot, 'profiles', n), 'utf8') }));

export const FILES: Record<Kind, string> = { blubber: '.pipeline/blubber.yaml', pipeline: '.pipeline/config.yaml', stack: '.pipeline/devpipe.yaml' };

/** Every loader and, for Blubber, the compiler of every variant: a JSON-comparable outcome. */
export function process(kind: Kind, text: string): { refusals: SpecIssue[]; output: string } {
  const file = FILES[kind];
  let result: SpecResult<unknown>;
  if (kind === 'stack') result = loadStack(text, file, { directoryName: 'fuzz', builtins });
  else if (kind === 'pipeline') result = loadPipelineConfig(text, file);
  else result = loadBlubber(text, file);
  if (!result.ok) return { refusals: result.errors, output: JSON.stringify(result.errors) };
  const outputs: string[] = [JSON.stringify(result.value, (key, value: unknown) => (key === 'source' || key === 'doc' ? undefined : value))];
  const refusals: SpecIssue[] = [];
  if (kind === 'blubber') {
    const config = result.value as { variants: Record<string, unknown> };
    for (const variant of Object.keys(config.variants ?? {}).slice(0, 5)) {
      const compiled = compileVariant(result.value as never, variant);
      if (compiled.ok) outputs.push(compiled.value.dockerfile);
      else {
        refusals.push(...compiled.errors);
        outputs.push(JSON.stringify(compiled.errors));
      }
    }
  }
  return { refusals, output: outputs.join('\n') };
}

/** A refusal is located inside the file: its name, a line within the text, a column ≥ 1. */
export function locatedInside(issue: SpecIssue, kind: Kind, text: string): boolean {
  const lines = text.split('\n').length;
  const inFile = issue.file === FILES[kind] || issue.file.startsWith('profiles/') || issue.file === '--profile';
  return inFile && Number.isInteger(issue.line) && issue.line >= 1 && issue.line <= lines + 1 && issue.col >= 1;
}

const oddUnicode = fc.constantFrom('\u0000', '\u202e', '\ud83d\ude00', '\ufeff', 'ǅ', '\u200b', '\r', '\t', 'İ', '\ud800', '\u2028', '${', '${setup.x}', '*', '&a', '!!binary', '<<', '%', '@', '`', '|', '>', '---', '...', '? ');
const hugeScalar = fc.integer({ min: 1, max: 100_000 }).map((n) => 'x'.repeat(n));
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('yes', 'no', 'on', 'off', '~', '.', '0o10', '010', '1e3', '.nan', '-.inf', 'busybox:stable', '18080:8080', 'H:0', '99999', 'production', 'test'),
  fc.stringMatching(/^[\s\S]{0,20}$/),
  oddUnicode,
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(fc.constantFrom('version', 'variants', 'base', 'copies', 'builder', 'runs', 'pipelines', 'stages', 'build', 'run', 'publish', 'services', 'image', 'ports', 'env', 'secrets', 'profiles', 'settings', 'includes', 'apt', 'node', 'python', 'entrypoint', 'execution', 'deploy', 'healthcheck', 'depends_on', 'volumes', 'e2e'), fc.string({ maxLength: 8 })), tie('node'), { maxKeys: 5 }),
})).node;

type Mutation = (lines: string[]) => string[];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // Replace a line's value with a generated one (wrong types).
  fc.tuple(fc.nat(), value).map(([at, v]): Mutation => (lines) => lines.map((line, i) => (i === at % Math.max(lines.length, 1) ? line.replace(/:(\s.*)?$/, `: ${stringify(v, { lineWidth: 0 }).trimEnd().replace(/\n/g, ' ')}`) : line))),
  // Delete, duplicate or swap lines.
  fc.nat().map((at): Mutation => (lines) => lines.filter((_, i) => i !== at % Math.max(lines.length, 1))),
  fc.nat().map((at): Mutation => (lines) => lines.flatMap((line, i) => (i === at % Math.max(lines.length, 1) ? [line, line] : [line]))),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (lines) => {
    const out = [...lines];
    const i = a % Math.max(out.length, 1);
    const j = b % Math.max(out.length, 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
    return out;
  }),
  // Re-indent a line, insert odd unicode, a huge scalar, an anchor and aliases.
  fc.tuple(fc.nat(), fc.integer({ min: -4, max: 4 })).map(([at, d]): Mutation => (lines) => lines.map((line, i) => (i === at % Math.max(lines.length, 1) ? (d > 0 ? ' '.repeat(d) + line : line.slice(-d)) : line))),
  fc.tuple(fc.nat(), fc.nat(), oddUnicode).map(([at, col, u]): Mutation => (lines) => lines.map((line, i) => (i === at % Math.max(lines.length, 1) ? line.slice(0, col % (line.length + 1)) + u + line.slice(col % (line.length + 1)) : line))),
  fc.tuple(fc.nat(), hugeScalar).map(([at, big]): Mutation => (lines) => lines.map((line, i) => (i === at % Math.max(lines.length, 1) ? line.replace(/:(\s.*)?$/, `: ${big}`) : line))),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (lines) => lines.map((line, i) => (i === a % Math.max(lines.length, 1) ? line.replace(/:\s*(\S.*)?$/, ': &fz $1') : i === b % Math.max(lines.length, 1) ? line.replace(/:(\s.*)?$/, ': *fz') : line))),
);

/** Documents: seed files mutated, generated whole documents, deep nesting, alias bombs. */
export function documents(kind: Kind): fc.Arbitrary<string> {
  const seeded = fc.tuple(fc.constantFrom(...seeds[kind]), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([seed, ms]) => ms.reduce((lines, m) => m(lines), seed.split('\n')).join('\n'));
  const generated = value.map((v) => stringify(v, { lineWidth: 0 }));
  const nested = fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.constantFrom('[', '{a: ', '- ', 'a:\n ')).map(([depth, open]) => (open.endsWith('\n ') ? Array.from({ length: Math.min(depth, 400) }, (_, i) => `${' '.repeat(i)}a:`).join('\n') : open.repeat(depth)));
  const bomb = fc.integer({ min: 2, max: 12 }).map((levels) => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < levels; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    return lines.join('\n');
  });
  return fc.oneof({ weight: 6, arbitrary: seeded }, { weight: 2, arbitrary: generated }, { weight: 1, arbitrary: nested }, { weight: 1, arbitrary: bomb });
}

/** The three properties for one input; returns a finding's description, or undefined. */
export function check(kind: Kind, text: string): string | undefined {
  let first: ReturnType<typeof process>;
  try {
    first = process(kind, text);
  } catch (error) {
    return `threw ${(error as Error)?.name}: ${(error as Error)?.message}`;
  }
  const unlocated = first.refusals.find((issue) => !locatedInside(issue, kind, text));
  if (unlocated) return `refusal not located inside the file: ${JSON.stringify(unlocated)}`;
  const second = process(kind, text);
  if (second.output !== first.output) return 'not deterministic: the same input gave another output';
  return undefined;
}

export interface FuzzRun {
  inputs: number;
  findings: { kind: Kind; text: string; finding: string }[];
  seconds: number;
}

/** Runs `perKind` inputs of each kind from `seed`; stops a kind at its first finding (shrunk). */
export function fuzz(perKind: number, seed: number, kinds: readonly Kind[] = ['blubber', 'pipeline', 'stack']): FuzzRun {
  const started = Date.now();
  const findings: FuzzRun['findings'] = [];
  let inputs = 0;
  for (const kind of kinds) {
    const details = fc.check(
      fc.property(documents(kind), (text) => {
        inputs++;
        return check(kind, text) === undefined;
      }),
      { numRuns: perKind, seed, endOnFailure: false },
    );
    if (details.failed && details.counterexample) {
      const text = details.counterexample[0];
      findings.push({ kind, text, finding: check(kind, text) ?? 'failed (flaky)' });
    }
  }
  return { inputs, findings, seconds: (Date.now() - started) / 1000 };
}
