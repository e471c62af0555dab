/**
 * Fake secrets of the stack: declared in devpipe.yaml, resolved fake < user file <
 * DEVPIPE_SECRET_<ID> < --secrets FILE, every value registered with the run's redactor.
 */
import path from 'node:path';
import type { EventBus } from '../events.js';
import type { Redactor } from '../stack/redact.js';
import { checkSecretValues, envLayer, fakeLayer, missingSecretsError, resolveSecrets, secretEnvVar, type ResolvedSecret, type SecretLayer } from '../stack/secrets.js';
import { STACK_FILE, type StackConfig } from '../../spec/stack/index.js';
import type { Workspace } from './workspace.js';
import { loadStackConfig } from './stack.js';

export interface StackSecrets {
  resolved: ResolvedSecret[];
  redactor: Redactor;
  /** Emits through the redactor to the context's bus (the reporters). */
  bus: EventBus;
  /** Runs `fn`, redacting any error it throws. */
  guard<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * Resolves every declared secret: fake < user file < DEVPIPE_SECRET_* < --secrets FILE. With
 * `requireAll`, a secret without a value is an error (exit 2).
 */
export async function resolveStackSecrets(ws: Workspace, config: StackConfig, secretsFile: string | undefined, requireAll = true): Promise<StackSecrets> {
  const userFile = ws.userSecretsFile(config.project);
  const sources = [ws.secretsFile(userFile, ws.display(userFile), false)];
  if (secretsFile) {
    const absolute = path.resolve(ws.reader.root, secretsFile);
    sources.push(ws.secretsFile(absolute, `--secrets ${ws.display(absolute)}`, true));
  }
  const layers: SecretLayer[] = [fakeLayer(config.secrets, config.file ?? STACK_FILE)];
  const [user, flag] = await Promise.all(sources.map((s) => s.read()));
  if (user) layers.push({ source: sources[0]!.description, values: user });
  layers.push(envLayer(ws.env, config.secrets));
  if (flag && sources[1]) layers.push({ source: sources[1].description, values: flag });
  const resolution = resolveSecrets(config.secrets, layers);
  for (const unknown of resolution.unknown) ws.bus.emit('message', { level: 'warn', text: `${unknown.source}: "${unknown.name}" is not a secret declared in ${STACK_FILE}; ignored` });
  if (requireAll && resolution.missing.length > 0) throw missingSecretsError(resolution.missing, ws.display(userFile));
  checkSecretValues(config, resolution.resolved);
  ws.redactor.add(resolution.resolved);
  const redactor = ws.redactor;
  return {
    resolved: resolution.resolved,
    redactor,
    bus: ws.bus,
    async guard<T>(fn: () => Promise<T>): Promise<T> {
      try {
        return await fn();
      } catch (error) {
        throw redactor.error(error);
      }
    },
  };
}

/**
 * `run.credentials` of `devpipe ci`: the same ids and the same resolution as the stack's secrets
 * (devpipe.yaml fake < user file < DEVPIPE_SECRET_<ID> < --secrets FILE). An id not declared in
 * devpipe.yaml is still found in the user file, the environment or the --secrets file. The shape
 * matches the ci runner's CredentialSource (`get`, `describe`); `values()` feeds its redaction.
 */
export async function credentialSource(
  ws: Workspace,
  secretsFile: string | undefined,
): Promise<{ get(id: string): Promise<string | undefined>; describe(): string; values(): string[] }> {
  const config = await loadStackConfig(ws);
  const stack = await resolveStackSecrets(ws, config, secretsFile, false);
  const userFile = ws.userSecretsFile(config.project);
  const user = (await ws.secretsFile(userFile, ws.display(userFile), false).read()) ?? {};
  const flag = secretsFile ? ((await ws.secretsFile(path.resolve(ws.reader.root, secretsFile), secretsFile, true).read()) ?? {}) : {};
  const lookup = (id: string): string | undefined => flag[id] ?? ws.env[secretEnvVar(id)] ?? user[id] ?? stack.resolved.find((s) => s.name === id)?.value;
  return {
    get: async (id) => lookup(id),
    describe: () =>
      `${secretsFile ? `--secrets ${secretsFile}, ` : ''}env DEVPIPE_SECRET_<ID>, ${ws.display(userFile)}, fakes in ${config.file ?? STACK_FILE}`,
    values: () => [...stack.resolved.map((s) => s.value), ...Object.values(user), ...Object.values(flag)],
  };
}

