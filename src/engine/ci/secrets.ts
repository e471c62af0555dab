/**
 * Secret sources for `run.credentials`: the environment (`DEVPIPE_SECRET_<ID>`), a map read from a
 * secrets file by the CLI, and their chain. A missing id is an error naming the id and every
 * place devpipe looked; values are never printed.
 */
import { DevpipeError } from '../../errors.js';
import type { SecretSource } from './ports.js';

/** `DEVPIPE_SECRET_<ID>`: the id upper-cased, every character outside [A-Z0-9_] as `_`. */
export function secretEnvName(id: string): string {
  return `DEVPIPE_SECRET_${id.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

export class EnvSecretSource implements SecretSource {
  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  async get(id: string): Promise<string | undefined> {
    return this.env[secretEnvName(id)];
  }

  describe(): string {
    return 'environment variables DEVPIPE_SECRET_<ID>';
  }
}

export class MapSecretSource implements SecretSource {
  constructor(
    private readonly values: Readonly<Record<string, string>>,
    private readonly where: string,
  ) {}

  async get(id: string): Promise<string | undefined> {
    return Object.hasOwn(this.values, id) ? this.values[id] : undefined;
  }

  describe(): string {
    return this.where;
  }
}

/** The first source that knows the id wins. */
export class ChainSecretSource implements SecretSource {
  constructor(private readonly sources: readonly SecretSource[]) {}

  async get(id: string): Promise<string | undefined> {
    for (const source of this.sources) {
      const value = await source.get(id);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  describe(): string {
    return this.sources.map((s) => s.describe()).join(', ');
  }
}

/** Resolves a stage's credentials to env vars, or throws naming the missing id. */
export async function credentialEnv(source: SecretSource, stage: string, credentials: readonly { id: string; name: string }[]): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const { id, name } of credentials) {
    const value = await source.get(id);
    if (value === undefined) {
      throw new DevpipeError('usage', `stage \`${stage}\`: no value for credential \`${id}\` (run.credentials, exposed as ${name})`, {
        hint: `devpipe looked in ${source.describe()}; set ${secretEnvName(id)}=<fake value>, or add \`${id}: <fake value>\` to the secrets file (DEVPIPE_SECRETS_FILE)`,
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
