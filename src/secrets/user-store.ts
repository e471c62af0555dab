/** FakeSecretStore on the user's secrets file: YAML `name: value`, file 0600 in a 0700 directory. */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { DevpipeError } from '../errors.js';
import type { FakeSecretStore } from '../ports.js';

export class UserSecretsStore implements FakeSecretStore {
  constructor(private readonly file: string) {}

  get description(): string {
    return this.file;
  }

  async read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new DevpipeError('environment', `cannot read ${this.file}: ${(error as Error).message}`, { cause: error });
    }
    let value: unknown;
    try {
      value = parse(text);
    } catch {
      throw new DevpipeError('spec', `${this.file} is not YAML (its text is not shown: it holds secret values)`, { hint: 'fix or remove the file' });
    }
    if (value === null || value === undefined) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new DevpipeError('spec', `${this.file}: expected \`name: value\` lines`);
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }

  async add(values: Readonly<Record<string, string>>): Promise<void> {
    const current = await this.read();
    const missing = Object.entries(values).filter(([name]) => current[name] === undefined);
    if (missing.length === 0) return;
    const next = { ...current, ...Object.fromEntries(missing) };
    try {
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFile(this.file, `# devpipe fake secrets for local stacks: never commit this file.\n${stringify(next, { lineWidth: 0 })}`, { mode: 0o600 });
      await chmod(this.file, 0o600);
    } catch (error) {
      throw new DevpipeError('environment', `cannot write ${this.file}: ${(error as Error).message}`, { cause: error });
    }
  }
}
