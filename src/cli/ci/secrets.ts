/**
 * The secret source `devpipe ci` uses for `run.credentials` until the local stack's secrets
 * (issue #5) land: `DEVPIPE_SECRET_<ID>` in the environment first, then a YAML/JSON file of
 * `id: value` named by `--secrets FILE` or DEVPIPE_SECRETS_FILE.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { ChainSecretSource, EnvSecretSource, MapSecretSource, type SecretSource } from '../../engine/ci/index.js';
import { DevpipeError } from '../../errors.js';

export async function ciSecretSource(projectDir: string, env: NodeJS.ProcessEnv, file: string | undefined): Promise<SecretSource> {
  const sources: SecretSource[] = [new EnvSecretSource(env)];
  const name = file ?? env.DEVPIPE_SECRETS_FILE;
  if (name) {
    const absolute = path.resolve(projectDir, name);
    let text: string;
    try {
      text = await readFile(absolute, 'utf8');
    } catch (error) {
      throw new DevpipeError('usage', `cannot read the secrets file ${absolute}: ${(error as Error).message}`, { hint: 'a YAML mapping of credential id → fake value', cause: error });
    }
    const parsed: unknown = parse(text);
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new DevpipeError('usage', `the secrets file ${absolute} is not a mapping of credential id → value`, { hint: 'e.g. `SONAR_API_KEY: fake-key`' });
    }
    const values = Object.fromEntries(Object.entries((parsed ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    sources.push(new MapSecretSource(values, `secrets file ${absolute}`));
  } else {
    sources.push(new MapSecretSource({}, 'no secrets file (set DEVPIPE_SECRETS_FILE)'));
  }
  return new ChainSecretSource(sources);
}
