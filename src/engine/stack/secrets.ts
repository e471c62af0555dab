/**
 * Fake secrets: declared once in devpipe.yaml, resolved from layers (later wins):
 *   1. the fake value in devpipe.yaml
 *   2. the user's file `$XDG_CONFIG_HOME/devpipe/secrets/<project>.yaml` (or `~/.config/…`)
 *   3. `DEVPIPE_SECRET_<NAME>` environment variables
 *   4. `--secrets FILE`
 * The same ids serve `run.credentials` of `devpipe ci` (see `credentialsFor`). Pure: the layers
 * are read by SecretSource adapters (src/secrets/).
 */
import { DevpipeError } from '../../errors.js';
import type { SecretDeclaration } from '../../spec/stack/types.js';
import { MIN_SECRET_LENGTH } from './redact.js';

const STACK_FILE_NAME = '.pipeline/devpipe.yaml';

export interface SecretLayer {
  /** Where the values come from, for messages (`devpipe.yaml`, `~/.config/devpipe/secrets/x.yaml`, `env`, `--secrets a.yaml`). */
  source: string;
  values: Readonly<Record<string, string>>;
}

export interface ResolvedSecret {
  name: string;
  value: string;
  /** The layer the value came from. */
  source: string;
}

export interface SecretResolution {
  resolved: ResolvedSecret[];
  /** Declared, with no value in any layer. */
  missing: SecretDeclaration[];
  /** Values given for names that are not declared (ignored, warned about). */
  unknown: { name: string; source: string }[];
}

/** `api-token` → `DEVPIPE_SECRET_API_TOKEN`. */
export function secretEnvVar(name: string): string {
  return `DEVPIPE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The env layer: `DEVPIPE_SECRET_<NAME>` for every declared secret. */
export function envLayer(env: Readonly<Record<string, string | undefined>>, declared: readonly SecretDeclaration[]): SecretLayer {
  const values: Record<string, string> = {};
  for (const secret of declared) {
    const value = env[secretEnvVar(secret.name)];
    if (value !== undefined) values[secret.name] = value;
  }
  return { source: 'environment (DEVPIPE_SECRET_*)', values };
}

export function fakeLayer(declared: readonly SecretDeclaration[], file: string): SecretLayer {
  const values: Record<string, string> = {};
  for (const secret of declared) if (secret.fake !== undefined) values[secret.name] = secret.fake;
  return { source: `${file} (fake value)`, values };
}

export function resolveSecrets(declared: readonly SecretDeclaration[], layers: readonly SecretLayer[]): SecretResolution {
  const names = new Set(declared.map((s) => s.name));
  const resolved: ResolvedSecret[] = [];
  const missing: SecretDeclaration[] = [];
  const unknown: { name: string; source: string }[] = [];
  for (const layer of layers) for (const name of Object.keys(layer.values)) if (!names.has(name)) unknown.push({ name, source: layer.source });
  for (const secret of declared) {
    let found: ResolvedSecret | undefined;
    for (const layer of layers) {
      const value = layer.values[secret.name];
      if (value !== undefined) found = { name: secret.name, value, source: layer.source };
    }
    if (found) resolved.push(found);
    else missing.push(secret);
  }
  return { resolved, missing, unknown };
}

/** Exit 2, naming every secret without a value and every way to give one. */
export function missingSecretsError(missing: readonly SecretDeclaration[], userFile: string): DevpipeError {
  const names = missing.map((s) => s.name);
  const first = missing[0];
  return new DevpipeError('spec', `${missing.length === 1 ? 'secret' : 'secrets'} ${names.map((n) => `"${n}"`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} declared but ${missing.length === 1 ? 'has' : 'have'} no value`, {
    details: missing.map((s) => `${s.declaredAt} secrets.${s.name}: no fake value, and none given from outside the repo${s.description ? ` (${s.description})` : ''}`),
    hint: `give a value from outside the repo: ${first ? `${secretEnvVar(first.name)}=… in the environment, ` : ''}a line \`${first?.name ?? 'name'}: value\` in ${userFile}, or --secrets FILE; or commit a fake value in devpipe.yaml (\`${first?.name ?? 'name'}: {fake: …}\`)`,
  });
}

/**
 * `run.credentials` of `devpipe ci`: PipelineLib credential ids are the secret names here. Returns
 * the env vars to inject (`credentials: [{id, name}]`), or throws naming the unknown id.
 */
export function credentialsFor(credentials: readonly { id: string; name: string }[], resolved: readonly ResolvedSecret[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const credential of credentials) {
    const secret = resolved.find((s) => s.name === credential.id);
    if (!secret) {
      throw new DevpipeError('spec', `credential "${credential.id}" has no fake value`, {
        hint: `declare it under \`secrets:\` in .pipeline/devpipe.yaml (\`${credential.id}: fake-value\`), or set ${secretEnvVar(credential.id)}`,
      });
    }
    env[credential.name] = secret.value;
  }
  return env;
}

/**
 * Values devpipe cannot keep safe are refused before anything is built (exit 2, at the secret's
 * declaration): a value shorter than MIN_SECRET_LENGTH (too short to find in an image or to
 * redact without mangling unrelated text), and a multi-line value (or one holding NUL) that a
 * service or the e2e suite asks to get as an environment variable (an env var holds one line).
 */
export function checkSecretValues(
  config: { secrets: readonly SecretDeclaration[]; services: readonly { name: string; secrets: readonly { name: string; env?: string | undefined }[] }[]; e2e?: { secrets: readonly { name: string; env?: string | undefined }[] } | undefined },
  resolved: readonly ResolvedSecret[],
): void {
  const declared = new Map(config.secrets.map((s) => [s.name, s]));
  const at = (name: string) => declared.get(name)?.declaredAt ?? STACK_FILE_NAME;
  const short = resolved.filter((s) => s.value.length < MIN_SECRET_LENGTH);
  if (short.length > 0) {
    throw new DevpipeError('spec', `${short.length === 1 ? 'secret' : 'secrets'} ${short.map((s) => `"${s.name}"`).join(', ')}: a value must have at least ${MIN_SECRET_LENGTH} characters`, {
      details: short.map((s) => `${at(s.name)} secrets.${s.name}: the value from ${s.source} has ${s.value.length} character(s); the minimum is ${MIN_SECRET_LENGTH}`),
      hint: `use a longer, distinctive fake value (e.g. \`fake-${short[0]?.name ?? 'name'}-value\`): devpipe finds values in images and redacts them from output, which a short value makes unreliable`,
    });
  }
  const values = new Map(resolved.map((s) => [s.name, s.value]));
  const users = [...config.services.map((s) => ({ where: `services.${s.name}.secrets`, secrets: s.secrets })), ...(config.e2e ? [{ where: 'e2e.secrets', secrets: config.e2e.secrets }] : [])];
  const bad: string[] = [];
  for (const user of users) {
    for (const use of user.secrets) {
      const value = values.get(use.name);
      if (use.env !== undefined && value !== undefined && /[\r\n\0]/.test(value)) {
        bad.push(`${at(use.name)} secrets.${use.name}: its value has ${value.includes('\0') ? 'a NUL character' : `${value.split(/\r?\n|\r/).length} lines`}, and ${user.where} asks for it as the env var ${use.env}`);
      }
    }
  }
  if (bad.length > 0) {
    throw new DevpipeError('spec', 'a multi-line secret value cannot be an environment variable', {
      details: bad,
      hint: 'read it from the file /run/secrets/<name> instead (drop `env:` from that secrets entry), or give a one-line value',
    });
  }
}
