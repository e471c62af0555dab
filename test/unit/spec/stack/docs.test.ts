import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { repoRoot } from '../../../helpers/cli.js';

test('docs/stack.md shows the demo devpipe.yaml exactly as the tests run it', async (t) => {
  const [doc, fixture] = await Promise.all([
    readFile(path.join(repoRoot, 'docs/stack.md'), 'utf8'),
    readFile(path.join(repoRoot, 'fixtures/staging-copy/.pipeline/devpipe.yaml'), 'utf8'),
  ]);
  t.true(doc.includes(`\`\`\`yaml\n${fixture}\`\`\``), 'copy fixtures/staging-copy/.pipeline/devpipe.yaml into docs/stack.md');
});
