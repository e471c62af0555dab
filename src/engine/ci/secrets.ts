/**
 * `run.credentials` from the fake secret source (the same one as the local stack's: see
 * engine/project/ci-secrets.ts). A missing id is an error naming the id and every place devpipe looked;
 * values are never printed.
 */
import { DevpipeError } from '../../errors.js';
import { secretEnvVar } from '../stack/secrets.js';
import type { CredentialSource } from './ports.js';

/** Resolves a stage's credentials to env vars, or throws naming the missing id. */
export async function credentialEnv(source: CredentialSource, stage: string, credentials: readonly { id: string; name: string }[]): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const { id, name } of credentials) {
    const value = await source.get(id);
    if (value === undefined) {
      throw new DevpipeError('usage', `stage \`${stage}\`: no value for credential \`${id}\` (run.credentials, exposed as ${name})`, {
        hint: `devpipe looked in ${source.describe()}; set ${secretEnvVar(id)}=<fake value>, pass --secrets FILE with \`${id}: <fake value>\`, or declare \`${id}: {fake: <value>}\` under \`secrets:\` in .pipeline/devpipe.yaml`,
      });
    }
    env[name] = value;
  }
  return env;
}

/** Replaces every secret value in a line of output with `***`. */
export function redact(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const secret of secrets) if (secret.length >= 3) out = out.replaceAll(secret, '***');
  return out;
}
