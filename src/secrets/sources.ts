/**
 * SecretSource adapters: a YAML file of `name: value` lines (the user's config file, `--secrets
 * FILE`). Values are validated with located errors; the values themselves never appear in them.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { secretNamePattern } from '../spec/stack/schema.js';
import { DevpipeError } from '../errors.js';
import { SpecError } from '../spec/issues.js';
import { validate } from '../spec/validate.js';
import { parseYaml } from '../spec/yaml.js';
import type { SecretSource } from '../ports.js';

const secretsFileSchema = z.record(
  z.string().regex(secretNamePattern, { error: 'is not a valid secret name' }),
  z.union([z.string(), z.number()], { error: 'expected the secret value as a string' }).transform(String),
);

/** `$XDG_CONFIG_HOME/devpipe/secrets/<project>.yaml`, or `~/.config/devpipe/secrets/<project>.yaml`. */
export function userSecretsFile(env: NodeJS.ProcessEnv, project: string): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME ?? homedir(), '.config');
  return path.join(base, 'devpipe', 'secrets', `${project}.yaml`);
}

export class YamlSecretsFile implements SecretSource {
  constructor(
    private readonly file: string,
    readonly description: string,
    /** A missing file is an error (`--secrets FILE`) or just absent (the user file). */
    private readonly required: boolean,
  ) {}

  async read(): Promise<Record<string, string> | undefined> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !this.required) return undefined;
      throw new DevpipeError('usage', `cannot read the secrets file ${this.description}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
        hint: 'pass an existing YAML file of `name: value` lines',
        cause: error,
      });
    }
    const parsed = parseYaml(text, this.description);
    if (!parsed.ok) throw new SpecError(parsed.errors.map((e) => ({ ...e, message: 'invalid YAML (the text is not shown: it may hold secret values)' })));
    if (parsed.value === null || parsed.value === undefined) return {};
    const result = validate(secretsFileSchema, parsed.value, parsed.source);
    if (!result.ok) throw new SpecError(result.errors);
    return result.value;
  }
}
