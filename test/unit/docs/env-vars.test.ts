/**
 * Every environment variable devpipe reads is listed in docs/configuration.md: the names read as
 * `env.NAME` / `env['NAME']` anywhere in src/, every `DEVPIPE_*` name the code spells out, and the
 * trust, proxy and package-index variables passed to builds.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CA_VARIABLES, INDEX_VARIABLES, PROXY_VARIABLES } from '../../../src/engine/trust.js';
import { repoRoot } from '../../helpers/cli.js';

/** Names in src/ that are not devpipe's settings: the shell's own, and job/chart variables devpipe writes. */
const notSettings = new Set(['HOME', 'PATH', 'NODE_ENV', 'BUILD_CONTEXT', 'DB_DATABASE', 'DB_USER', 'DEVPIPE_SECRET_API_TOKEN', 'DEVPIPE_RELEASE__']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : file.endsWith('.ts') ? [file] : [];
  });
}

function namesRead(): Set<string> {
  const names = new Set<string>();
  for (const file of sources(path.join(repoRoot, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\benv\.([A-Z_][A-Z0-9_]*)\b|\benv\[['"]([A-Z_][A-Z0-9_]*)['"]\]/g)) names.add(match[1] ?? match[2]!);
    for (const match of text.matchAll(/\b(DEVPIPE_[A-Z][A-Z0-9_]*)/g)) names.add(match[1]!.replace(/_$/, '_<NAME>'));
  }
  for (const name of [...CA_VARIABLES, ...PROXY_VARIABLES, ...INDEX_VARIABLES]) names.add(name);
  return names;
}

test('docs/configuration.md lists every environment variable devpipe reads', (t) => {
  const doc = readFileSync(path.join(repoRoot, 'docs/configuration.md'), 'utf8');
  const names = [...namesRead()].filter((n) => !notSettings.has(n));
  t.true(names.length > 30, `found ${names.length} names`);
  const lowerProxies = new Set<string>(PROXY_VARIABLES.filter((n) => n === n.toLowerCase()));
  const missing = names.filter((name) => !(lowerProxies.has(name) ? doc.includes('(and lower case)') : doc.includes(`\`${name}`) || doc.includes(` ${name}`)));
  t.deepEqual(missing, [], `add these to docs/configuration.md: ${missing.join(', ')}`);
});
