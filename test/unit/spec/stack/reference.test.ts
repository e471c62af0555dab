import { readFile } from 'node:fs/promises';
import test from 'ava';
import { referencePath, renderReference } from '../../../../scripts/gen-stack-reference.js';

test('docs/devpipe-yaml-reference.md is generated from the schema and up to date', async (t) => {
  const current = await readFile(referencePath, 'utf8');
  t.is(current, renderReference(), 'run `npx tsx scripts/gen-stack-reference.ts`');
  for (const section of ['`services.<name>`', '`services.<name>.healthcheck`', '`e2e`', '`secrets.<name>`', '`settings`', '`profiles.<name>`']) {
    t.true(current.includes(`## ${section}`), section);
  }
});
