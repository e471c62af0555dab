/**
 * The user's settings file and the host's trust, as the composition root hands them to the
 * adapters: which CA bundle builds and devpipe's own containers trust (`--ca-file`,
 * `DEVPIPE_CA_FILE`, settings `ca_file`, and the host's store when it is configured or asked
 * for), the proxies and the package-index overrides of this shell.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { DevpipeError } from '../errors.js';
import { INDEX_VARIABLES, PROXY_VARIABLES, type HostTrust } from '../engine/trust.js';
import { SpecError } from '../spec/issues.js';
import { emptySettings, loadUserSettings, type UserSettings } from '../spec/settings/index.js';

/** `DEVPIPE_SETTINGS`, else `$XDG_CONFIG_HOME/devpipe/settings.yaml` (`~/.config/devpipe/settings.yaml`). */
export function userSettingsFile(env: NodeJS.ProcessEnv): string {
  if (env.DEVPIPE_SETTINGS) return path.resolve(env.DEVPIPE_SETTINGS);
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME ?? homedir(), '.config');
  return path.join(base, 'devpipe', 'settings.yaml');
}

export async function readUserSettings(env: NodeJS.ProcessEnv): Promise<UserSettings> {
  const file = userSettingsFile(env);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !env.DEVPIPE_SETTINGS) return emptySettings;
    throw new DevpipeError(env.DEVPIPE_SETTINGS ? 'usage' : 'environment', `cannot read the settings file ${file}: ${(error as Error).message}`, {
      hint: env.DEVPIPE_SETTINGS ? 'DEVPIPE_SETTINGS names a file that does not exist' : 'fix its permissions or remove it',
    });
  }
  const loaded = loadUserSettings(text, file);
  if (!loaded.ok) throw new SpecError(loaded.errors);
  return loaded.value;
}

/** Variables that say the host uses its own trust store (each names a PEM file). */
export const HOST_CA_VARIABLES = ['SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'PIP_CERT', 'GIT_SSL_CAINFO'] as const;
/** The system bundle of common distributions. */
export const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

export type HostTrustMode = 'auto' | 'on' | 'off';

export function hostTrustMode(env: NodeJS.ProcessEnv, settings: UserSettings): HostTrustMode {
  const value = env.DEVPIPE_HOST_TRUST;
  if (value !== undefined && value !== '') {
    if (value === 'auto' || value === 'on' || value === 'off') return value;
    if (value === '1' || value === 'true') return 'on';
    if (value === '0' || value === 'false') return 'off';
    throw new DevpipeError('usage', `DEVPIPE_HOST_TRUST=${value} is not a value devpipe knows`, { hint: 'use auto (the default), on or off' });
  }
  return settings.hostTrust === 'auto' ? 'auto' : settings.hostTrust ? 'on' : 'off';
}

async function readPem(file: string): Promise<string | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    return text.includes('-----BEGIN CERTIFICATE-----') ? text : undefined;
  } catch {
    return undefined;
  }
}

/** Certificates of several PEM texts, each once, in order. */
export function mergeBundles(texts: readonly string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)) {
      const cert = match[0].replace(/\r\n/g, '\n');
      const key = cert.replace(/\s+/g, '');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(cert);
    }
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

export interface TrustInputs {
  env: NodeJS.ProcessEnv;
  settings: UserSettings;
  /** `--ca-file` (relative to the current directory). */
  caFile?: string | undefined;
  cwd: string;
}

export async function resolveHostTrust(inputs: TrustInputs): Promise<HostTrust> {
  const { env, settings } = inputs;
  const proxies: Record<string, string> = {};
  for (const name of PROXY_VARIABLES) if (env[name]) proxies[name] = env[name];
  const indexes: Record<string, string> = {};
  for (const name of INDEX_VARIABLES) if (env[name]) indexes[name === 'NPM_CONFIG_REGISTRY' ? 'npm_config_registry' : name] = env[name];

  const texts: string[] = [];
  const sources: string[] = [];
  const explicit = inputs.caFile ? { file: path.resolve(inputs.cwd, inputs.caFile), how: '--ca-file' } : env.DEVPIPE_CA_FILE ? { file: path.resolve(inputs.cwd, env.DEVPIPE_CA_FILE), how: 'DEVPIPE_CA_FILE' } : settings.caFile ? { file: path.resolve(path.dirname(settings.file ?? inputs.cwd), settings.caFile), how: `ca_file in ${settings.file ?? 'settings'}` } : undefined;
  if (explicit) {
    const text = await readPem(explicit.file);
    if (text === undefined) {
      throw new DevpipeError('usage', `${explicit.how}: ${explicit.file} is not a readable PEM file of certificates`, { hint: 'name a file with -----BEGIN CERTIFICATE----- blocks (the CA your proxy or registry uses)' });
    }
    texts.push(text);
    sources.push(`${explicit.how} ${explicit.file}`);
  }
  const mode = hostTrustMode(env, settings);
  const configured = HOST_CA_VARIABLES.filter((name) => env[name]);
  if (mode === 'on' || (mode === 'auto' && configured.length > 0)) {
    const files = [...new Set([...configured.map((name) => env[name] as string), ...SYSTEM_BUNDLES])];
    let added = false;
    for (const file of files) {
      const text = await readPem(file);
      if (text === undefined) continue;
      texts.push(text);
      if (!added) sources.push(configured.length > 0 ? `the host trust store (${configured[0]}=${env[configured[0]!]})` : `the host trust store (${file})`);
      added = true;
      // The system bundle already holds every other CA of a configured host in the usual setup;
      // extra files (NODE_EXTRA_CA_CERTS with one CA) are merged in.
    }
  }
  if (texts.length === 0) return { proxies, indexes };
  const bundle = mergeBundles(texts);
  const bundlePath = await bundleFile(bundle);
  return { bundle, bundlePath, source: sources.join(' + '), proxies, indexes };
}

/** The merged bundle as a file the engine can bind-mount into devpipe's own containers. */
async function bundleFile(bundle: string): Promise<string> {
  const dir = path.join(tmpdir(), 'devpipe-trust');
  const file = path.join(dir, `${createHash('sha256').update(bundle).digest('hex').slice(0, 16)}.pem`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, bundle, { mode: 0o644 });
  return file;
}
