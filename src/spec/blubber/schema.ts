/**
 * The Blubber v4 configuration schema (as of Blubber v1.8.0), in zod. This is the single source
 * of truth for the shape of a Blubber file: the TypeScript types below are inferred from it and
 * docs/blubber.md follows it. Shape and types only; Blubber's semantic rules (names, paths,
 * references, duplicates) live in rules.ts so that every error can be collected and located.
 *
 * Objects are strict: an unknown key is an error with a "did you mean" hint (Blubber also rejects
 * unknown fields, without saying where). Shorthand forms are normalized here: a requirement
 * `Makefile` becomes `{from: local, source: Makefile}`, a copy `build` becomes `{from: build}`, a
 * mount `build` becomes `{from: build}`, a cache `/x` becomes `{destination: /x}`, a proxy URL
 * becomes `{url}`, and a string `command` becomes a one-element list (which renders verbatim).
 * Nulls are refused except where Blubber's JSON schema allows them (reading.ts applies those).
 */
import { z } from 'zod';

const LOCAL = 'local';

/** A string that YAML might have read as something else: the hint says to quote it. */
const text = z.string();

// Entries read by Blubber with plain json.Unmarshal (artifacts, mounts, caches, proxies) ignore
// unknown keys: these objects strip them (reading.ts warns about each one).
const artifactObject = z.object({
  from: z.string({ error: (issue) => (issue.input === undefined ? 'is required\nhint: name where to copy from: `local` (the project), a variant, or an image' : undefined) }),
  source: text.optional(),
  destination: text.optional(),
  exclude: z.array(text).optional(),
});

/** `copies[]`: a variant/local/image name, or an artifact object. */
export const copySchema = z
  .union([text, artifactObject])
  .transform((item): Artifact => (typeof item === 'string' ? { from: item } : item));

/** `requirements[]`: a local path, or an artifact object. */
export const requirementSchema = z
  .union([text, artifactObject])
  .transform((item): Artifact => (typeof item === 'string' ? { from: LOCAL, source: item } : item));

const requirements = z.array(requirementSchema);

export const mountSchema = z
  .union([text, z.object({ from: z.string(), source: text.optional(), destination: text.optional() })])
  .transform((item): Mount => (typeof item === 'string' ? { from: item } : item));

export const cacheSchema = z
  .union([
    text,
    z.object({
      destination: z.string({ error: (issue) => (issue.input === undefined ? 'is required\nhint: a cache needs the path to mount it at' : undefined) }),
      id: text.optional(),
      access: z.enum(['shared', 'private', 'locked']).optional(),
    }),
  ])
  .transform((item): Cache => (typeof item === 'string' ? { destination: item } : item));

const command = z
  .union([
    z.array(text).min(1),
    z.string().min(1, { error: 'must not be empty\nhint: give a command, e.g. `command: make build`, or remove the key' }),
  ])
  .transform((c) => (typeof c === 'string' ? [c] : c));

export const customBuilderSchema = z.strictObject({
  command: command.optional(),
  script: text.optional(),
  requirements: requirements.optional(),
  mounts: z.array(mountSchema).optional(),
  caches: z.array(cacheSchema).optional(),
});

export const nodeBuilderSchema = z.strictObject({
  requirements: requirements.optional(),
  env: text.optional(),
  'use-npm-ci': z.boolean().optional(),
  'allow-dedupe-failure': z.boolean().optional(),
});

export const poetrySchema = z.strictObject({
  version: text.optional(),
  devel: z.boolean().optional(),
  only: text.optional(),
  without: text.optional(),
});

export const pythonBuilderSchema = z.strictObject({
  version: text.optional(),
  requirements: requirements.optional(),
  'use-system-site-packages': z.boolean().optional(),
  'no-deps': z.boolean().optional(),
  venv: text.optional(),
  'pip-version': text.optional(),
  'setuptools-version': text.optional(),
  'wheel-version': text.optional(),
  'tox-version': text.optional(),
  poetry: poetrySchema.optional(),
});

export const phpBuilderSchema = z.strictObject({
  requirements: requirements.optional(),
  production: z.boolean().optional(),
});

export const builderKinds = ['node', 'python', 'php', 'custom'] as const;
export type BuilderKind = (typeof builderKinds)[number];

export const buildersEntrySchema = z
  .strictObject({
    node: nodeBuilderSchema.optional(),
    python: pythonBuilderSchema.optional(),
    php: phpBuilderSchema.optional(),
    custom: customBuilderSchema.optional(),
  })
  .superRefine((entry, ctx) => {
    const keys = Object.keys(entry);
    if (keys.length > 1) {
      ctx.addIssue({
        code: 'custom',
        message: `a builders entry has exactly one key, got ${keys.join(', ')}\nhint: write one list item per builder: \`- node: {…}\`, \`- python: {…}\`, \`- php: {…}\` or \`- custom: {…}\``,
      });
    }
  });

const packageList = z.array(text);

export const aptSchema = z.strictObject({
  packages: z.union([packageList, z.record(z.string(), packageList)]).optional(),
  sources: z
    .array(
      z.strictObject({
        url: z.string({ error: (issue) => (issue.input === undefined ? 'is required\nhint: an APT source needs `url: http(s)://…`' : undefined) }),
        distribution: text.optional(),
        components: z.array(text).optional(),
        'signed-by': text.optional(),
      }),
    )
    .optional(),
  proxies: z
    .array(
      z
        .union([text, z.object({ url: z.string({ error: (issue) => (issue.input === undefined ? 'is required' : undefined) }), source: text.optional() })])
        .transform((p): AptProxy => (typeof p === 'string' ? { url: p } : p)),
    )
    .optional(),
});

const id = z.number().int().min(0);

export const livesSchema = z.strictObject({
  in: text.optional(),
  as: text.optional(),
  uid: id.optional(),
  gid: id.optional(),
});

const stringMap = z.record(z.string(), text);

export const runsSchema = z.strictObject({
  in: text.optional(),
  as: text.optional(),
  uid: id.optional(),
  gid: id.optional(),
  environment: stringMap.optional(),
  insecurely: z.boolean().optional(),
});

const commonShape = {
  base: text.optional(),
  arguments: stringMap.optional(),
  apt: aptSchema.optional(),
  node: nodeBuilderSchema.optional(),
  python: pythonBuilderSchema.optional(),
  php: phpBuilderSchema.optional(),
  builder: customBuilderSchema.optional(),
  builders: z.array(buildersEntrySchema).optional(),
  lives: livesSchema.optional(),
  runs: runsSchema.optional(),
  entrypoint: z
    .array(text, {
      error: (issue) =>
        typeof issue.input === 'string'
          ? `expected a list of strings, got the string ${JSON.stringify(issue.input)}\nhint: write the entrypoint in exec form, as a list: [${JSON.stringify(issue.input)}] or split it: [prog, arg1, …]`
          : undefined,
    })
    .optional(),
};

export const commonSchema = z.strictObject(commonShape);

export const variantSchema = z.strictObject({
  ...commonShape,
  includes: z.array(text).optional(),
  copies: z
    .array(copySchema, {
      error: (issue) =>
        typeof issue.input === 'string'
          ? `expected a list, got the string ${JSON.stringify(issue.input)}\nhint: in v4 \`copies\` is a list: copies: [${issue.input}] (and add \`local\` to copy the project: copies: [local])`
          : undefined,
    })
    .optional(),
});

export const configSchema = z.strictObject({
  ...commonShape,
  version: z.literal('v4'),
  variants: z.record(z.string(), variantSchema).optional().transform((v) => v ?? {}),
});

export interface Artifact {
  from: string;
  source?: string | undefined;
  destination?: string | undefined;
  exclude?: string[] | undefined;
}

export interface Mount {
  from: string;
  source?: string | undefined;
  destination?: string | undefined;
}

export interface Cache {
  destination: string;
  id?: string | undefined;
  access?: 'shared' | 'private' | 'locked' | undefined;
}

export interface AptProxy {
  url: string;
  source?: string | undefined;
}

export type CustomBuilder = z.output<typeof customBuilderSchema>;
export type NodeBuilder = z.output<typeof nodeBuilderSchema>;
export type PythonBuilder = z.output<typeof pythonBuilderSchema>;
export type PoetryConfig = z.output<typeof poetrySchema>;
export type PhpBuilder = z.output<typeof phpBuilderSchema>;
export type BuildersEntry = z.output<typeof buildersEntrySchema>;
export type Apt = z.output<typeof aptSchema>;
export type AptSource = NonNullable<Apt['sources']>[number];
export type Lives = z.output<typeof livesSchema>;
export type Runs = z.output<typeof runsSchema>;
export type Common = z.output<typeof commonSchema>;
export type Variant = z.output<typeof variantSchema>;
export type BlubberConfig = z.output<typeof configSchema>;

/** The `local` keyword of `from`: the build context. */
export const LOCAL_CONTEXT = LOCAL;
/** The shared library directory Blubber creates and chowns to the lives user. */
export const LOCAL_LIB = '/opt/lib';

/** Which builder a `builders` entry holds (exactly one key, checked by the schema). */
export function builderKindOf(entry: BuildersEntry): BuilderKind {
  for (const kind of builderKinds) if (entry[kind] !== undefined) return kind;
  return 'custom';
}
