/**
 * The user's own settings (`$XDG_CONFIG_HOME/devpipe/settings.yaml`, or `DEVPIPE_SETTINGS`): what
 * belongs to a machine rather than to a repository — the CA bundle builds trust, whether the host's
 * trust store is passed to builds, and local substitutes for base images that are not reachable.
 * Pure: the caller passes the text.
 */
import { z } from 'zod';
import type { SpecResult } from '../issues.js';
import { validate } from '../validate.js';
import { parseYaml } from '../yaml.js';

/** `name[:tag]` or `name@digest`, as Docker reads an image reference (loosely: no spaces). */
const imageRef = z.string().regex(/^[^\s:@][^\s]*$/, { error: 'expected an image reference such as my-local/node20:latest' });

export const imageAliasesSchema = z
  .record(imageRef, imageRef)
  .describe('base image → the local image used instead, e.g. `docker-registry.wikimedia.org/nodejs20-slim: my-local/node20` (an entry without a tag matches every tag)');

export const userSettingsSchema = z
  .strictObject({
    version: z.literal('v1').optional(),
    ca_file: z.string().min(1).optional().describe('a PEM bundle every build step and ci/e2e/test container trusts (added to the host trust store)'),
    host_trust: z
      .union([z.enum(['auto']), z.boolean()])
      .optional()
      .describe('pass the host trust store to builds: `auto` (default: when SSL_CERT_FILE, NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, … are set), `true`, `false`'),
    images: imageAliasesSchema.optional(),
  })
  .describe('~/.config/devpipe/settings.yaml');

export interface UserSettings {
  caFile?: string | undefined;
  hostTrust: 'auto' | boolean;
  images: Record<string, string>;
  /** The file as shown in messages, or undefined when there is none. */
  file?: string | undefined;
}

export const emptySettings: UserSettings = { hostTrust: 'auto', images: {} };

export function loadUserSettings(text: string, file: string): SpecResult<UserSettings> {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: [] };
  const result = validate(userSettingsSchema, parsed.value ?? {}, parsed.source);
  if (!result.ok) return { ok: false, errors: result.errors, warnings: [] };
  return { ok: true, value: { caFile: result.value.ca_file, hostTrust: result.value.host_trust ?? 'auto', images: { ...result.value.images }, file }, warnings: [] };
}

/** Docker's short form of a reference: `docker.io/library/debian:12` and `debian:12` are one image. */
function familiar(ref: string): string {
  const short = ref.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  return short.startsWith('library/') && short.indexOf('/', 'library/'.length) < 0 ? short.slice('library/'.length) : short;
}

/**
 * The alias for an image, most specific entry first: the reference as written (`name:tag@digest`,
 * `name@digest`), then without its digest (`name:tag`), then its repository (`name`, every tag and
 * digest). Docker Hub's long and short spellings match each other.
 */
export function aliasFor(image: string, aliases: Readonly<Record<string, string>>): string | undefined {
  const keys = new Map<string, string>();
  for (const [key, value] of Object.entries(aliases)) if (!keys.has(familiar(key))) keys.set(familiar(key), value);
  const ref = familiar(image);
  const at = ref.indexOf('@');
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const colon = named.lastIndexOf(':');
  const repo = colon > named.lastIndexOf('/') ? named.slice(0, colon) : named;
  for (const candidate of [ref, named, repo]) if (keys.has(candidate)) return keys.get(candidate);
  return undefined;
}
