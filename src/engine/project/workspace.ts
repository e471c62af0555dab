/**
 * The project as the engine reads it: one port for the files of the project directory
 * (`ProjectReader`), and the `Workspace` record the composition root hands to project loading
 * (stack config, profiles, Blubber files, compiled builds, secrets). Nothing here touches the disk.
 */
import type { EventBus } from '../events.js';
import type { Redactor } from '../stack/redact.js';
import type { SecretSource } from '../../ports.js';
import type { BuiltinProfile } from '../../spec/stack/index.js';
import type { UserSettings } from '../../spec/settings/index.js';

export type Containment = { inside: true } | { inside: false; resolved: string; via?: string | undefined };

/** Reads the project directory (paths relative to it, or absolute). */
export interface ProjectReader {
  /** Absolute path of the project directory. */
  readonly root: string;
  /** UTF-8 text; undefined when nothing is there; a directory or an unreadable file throws a hinted error. */
  read(file: string): Promise<string | undefined>;
  /** Bytes and permission bits of a file; undefined when it does not exist. */
  bytes(file: string): Promise<{ bytes: Uint8Array; mode: number } | undefined>;
  /** What a path is: a file, a directory, or nothing. */
  kind(file: string): Promise<'file' | 'directory' | undefined>;
  /** A directory's entries, sorted by name ([] when it does not exist). */
  list(dir: string): Promise<{ name: string; kind: 'file' | 'directory' | 'other' }[]>;
  /** Does the path stay inside the project once every symlink on it is resolved? */
  contains(file: string): Promise<Containment>;
}

/** `--blubber`, `--variant`, `--port` of `up`/`dev` (zero-config overrides). */
export interface StackOverrides {
  blubber?: string | undefined;
  variant?: string | undefined;
  port?: { container: number; host: number } | undefined;
}

/** Everything project loading needs, built once by the composition root. */
export interface Workspace {
  readonly reader: ProjectReader;
  readonly bus: EventBus;
  /** The run's one redactor: every resolved secret value is registered with it. */
  readonly redactor: Redactor;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `--profile`. */
  readonly profile: string | undefined;
  /** `--blubber`/`--variant`/`--port` of `up`/`dev`. */
  readonly overrides: StackOverrides;
  /** The user's settings (`~/.config/devpipe/settings.yaml`). */
  settings(): Promise<UserSettings>;
  /** The profiles shipped with devpipe (`profiles/*.yaml`). */
  builtinProfiles(): Promise<BuiltinProfile[]>;
  /** A YAML secrets file (the user's, or `--secrets FILE`): `required` ones must exist. */
  secretsFile(absolute: string, description: string, required: boolean): SecretSource;
  /** The user's secrets file of a project (`~/.config/devpipe/secrets/<project>.yaml`). */
  userSecretsFile(project: string): string;
  /** A path as shown in messages (relative to the current directory when inside it). */
  display(absolute: string): string;
  /** The .dockerignore matcher (a path relative to the context → excluded?). */
  ignoreMatcher(patterns: readonly string[]): (relative: string) => boolean;
  /** Runs `fn` holding a project lock (`.devpipe/lock`, or `file`): commands never race on one project. */
  withLock<T>(command: string, signal: AbortSignal | undefined, fn: () => Promise<T>, file?: string): Promise<T>;
}

/** `.dockerignore` patterns of the project (comments and blank lines dropped). */
export async function dockerignorePatterns(reader: ProjectReader): Promise<string[]> {
  const text = await reader.read('.dockerignore');
  if (text === undefined) return [];
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
