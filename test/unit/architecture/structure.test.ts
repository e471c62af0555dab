/**
 * The structure docs/architecture.md describes, checked on the source tree: no import circles in
 * src/, arrows point one way (domain → ports, never to adapters, cli or ui), the target is chosen
 * only in the composition root, and cli/ holds only the program, the composition root and one
 * file per command.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { repoRoot } from '../../helpers/cli.js';

const src = path.join(repoRoot, 'src');

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(full)));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out.sort();
}

/** Static and dynamic relative imports of a module, resolved to .ts paths under src/. */
async function importsOf(file: string, typeOnly: boolean): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const out: string[] = [];
  const patterns = [/^import\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm, /^export\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'/gm, /import\(\s*'(\.[^']+)'\s*\)/g];
  for (const [i, pattern] of patterns.entries()) {
    for (const match of text.matchAll(pattern)) {
      const isType = i < 2 && match[1] !== undefined;
      if (isType && !typeOnly) continue;
      const spec = i < 2 ? match[2]! : match[1]!;
      out.push(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')));
    }
  }
  return out;
}

const rel = (file: string) => path.relative(src, file).split(path.sep).join('/');

test('no import circles in src/ (value imports, static and dynamic)', async (t) => {
  const all = await files(src);
  const graph = new Map<string, string[]>();
  for (const file of all) graph.set(file, (await importsOf(file, false)).filter((f) => graph.has(f) || all.includes(f)));
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].map(rel).join(' → '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const file of all) if (!state.has(file)) visit(file);
  t.deepEqual(cycles, []);
});

test('domain code (spec, compile, engine) never imports cli/, ui/ or an adapter folder', async (t) => {
  const forbidden = ['cli/', 'ui/', 'docker/', 'compose/', 'kube/', 'watch/', 'fs/', 'process/', 'host/', 'secrets/'];
  const offenders: string[] = [];
  for (const file of await files(src)) {
    const from = rel(file);
    if (!/^(spec|compile|engine)\//.test(from)) continue;
    for (const target of await importsOf(file, true)) {
      const to = rel(target);
      if (forbidden.some((f) => to.startsWith(f))) offenders.push(`${from} → ${to}`);
    }
  }
  t.deepEqual(offenders, []);
});

test('the target is chosen in the composition root only: no command or engine module compares a target name', async (t) => {
  const offenders: string[] = [];
  for (const file of await files(src)) {
    const from = rel(file);
    if (!/^(cli|engine)\//.test(from) || from === 'cli/context.ts' || from === 'cli/adapters.ts' || from.startsWith('engine/targets/') || from === 'engine/doctor.ts') continue;
    const text = await readFile(file, 'utf8');
    for (const [n, line] of text.split('\n').entries()) {
      if (/[=!]==?\s*'minikube'|'minikube'\s*[=!]==?|isKubeTarget|wantsKube/.test(line)) offenders.push(`${from}:${n + 1}: ${line.trim()}`);
    }
  }
  t.deepEqual(offenders, []);
});

test('cli/ holds the program, the composition root and one file per command', async (t) => {
  const cli = (await files(path.join(src, 'cli'))).map(rel);
  const commands = cli.filter((f) => f.startsWith('cli/commands/'));
  const rest = cli.filter((f) => !f.startsWith('cli/commands/'));
  t.deepEqual(rest, ['cli/adapters.ts', 'cli/context.ts', 'cli/load.ts', 'cli/main.ts', 'cli/program.ts']);
  t.true(commands.every((f) => /^cli\/commands\/[a-z0-9-]+\.ts$/.test(f)), commands.join(', '));
  const lines = (await Promise.all(cli.map((f) => readFile(path.join(src, f), 'utf8')))).reduce((n, text) => n + text.split('\n').length, 0);
  t.true(lines <= 2000, `src/cli has ${lines} lines`);
});

test('commands and the program import no adapter and no node:fs (static or dynamic): only the composition root does', async (t) => {
  const adapters = ['docker/', 'compose/', 'kube/', 'watch/', 'fs/', 'process/', 'host/', 'secrets/'];
  const offenders: string[] = [];
  for (const file of await files(path.join(src, 'cli'))) {
    const from = rel(file);
    if (from === 'cli/context.ts' || from === 'cli/adapters.ts') continue;
    for (const target of await importsOf(file, true)) {
      const to = rel(target);
      if (adapters.some((a) => to.startsWith(a))) offenders.push(`${from} → ${to}`);
    }
    if (/from 'node:(fs|child_process)|import\('node:(fs|child_process)/.test(await readFile(file, 'utf8'))) offenders.push(`${from} → node:fs`);
  }
  t.deepEqual(offenders, []);
});

test('one home for devpipe labels: no other module spells a devpipe.* label key', async (t) => {
  const offenders: string[] = [];
  for (const file of await files(src)) {
    const from = rel(file);
    if (from === 'engine/labels.ts') continue;
    const text = await readFile(file, 'utf8');
    for (const [n, line] of text.split('\n').entries()) {
      if (/^\s*(\*|\/\/|\/\*)/.test(line)) continue;
      if (/['"`]devpipe\.(project|service|role|run|managed-by|build|stage|pipeline|owner|revision|variant|content|kind|job|source|network|e2e)['"`]/.test(line)) offenders.push(`${from}:${n + 1}`);
    }
  }
  t.deepEqual(offenders, []);
});
