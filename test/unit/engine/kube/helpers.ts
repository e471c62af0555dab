/** The fixture's stack config, loaded as `devpipe up` loads it (no CLI, no cluster). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readBuiltinProfiles } from '../../../../src/host/profiles.js';
import { loadStack, type StackConfig } from '../../../../src/spec/stack/index.js';
import { repoRoot } from '../../../helpers/cli.js';

export const fixtureDir = path.join(repoRoot, 'fixtures/staging-copy');

export async function fixtureConfig(profile = 'minikube', text?: string): Promise<StackConfig> {
  const source = text ?? (await readFile(path.join(fixtureDir, '.pipeline/devpipe.yaml'), 'utf8'));
  const result = loadStack(source, 'fixtures/staging-copy/.pipeline/devpipe.yaml', { directoryName: 'staging-copy', profile, builtins: await readBuiltinProfiles() });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

export const builtRefs = new Map([
  ['.pipeline/blubber.yaml#production', 'staging-copy:production-0123456789ab'],
  ['.pipeline/blubber.yaml#e2e', 'staging-copy:e2e-ba9876543210'],
]);
