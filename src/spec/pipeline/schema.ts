/**
 * The PipelineLib `.pipeline/config.yaml` schema (pipelines.v0), in zod. Single source of truth for
 * the *shape* of the file: the raw types are inferred from it; normalize.ts turns them into the
 * defaulted model of types.ts; rules.ts checks what a schema cannot (names, graph, references).
 *
 * Open and closed exactly where PipelineLib's JSON schema is: the root, pipeline objects,
 * `exports`, `deploy.chart` and `deploy.overrides` are open; stages and steps are closed, so an
 * unknown key there is an error with a "did you mean" hint. Where the code and the schema disagree
 * we follow the code (reference §1.9): `promote: true` and `promote[].version` are accepted, as is
 * a pipeline-level `notify`, and `deploy.timeout: null`.
 *
 * Most fields may also be a `$merge` expression, list fields a `$each` comprehension (§2.4–2.5).
 */
import { z } from 'zod';
import { describeValue } from '../validate.js';

type Issue = z.core.$ZodRawIssue;

function quoteHint(input: unknown): string {
  return typeof input === 'number' || typeof input === 'boolean' || input instanceof Date
    ? `\nhint: quote it: "${String(input)}" (YAML reads unquoted ${String(input)} as a ${input instanceof Date ? 'timestamp' : typeof input})`
    : '';
}

/** The message of a union whose input matched no branch at all. */
function expected(what: string): (issue: Issue) => string {
  return (issue) => `expected ${what}, got ${describeValue(issue.input)}${quoteHint(issue.input)}`;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

const present = z.custom<unknown>((v) => v !== undefined, { error: 'is required' });

export const mergeExpressionSchema = z.strictObject({ $merge: present, $with: present });

export const eachExpressionSchema = z.strictObject({
  $each: z.union([z.string(), z.array(z.string())], { error: expected('a variable name or a list of names') }),
  $in: z.string().optional(),
  $delimiter: z.string().optional(),
  $yield: z.unknown().optional(),
});

/** A mapping with a `$merge` key, validated as a merge expression. */
function mergeOnly(what: string) {
  return z.custom<unknown>((v) => isMap(v) && '$merge' in v, { error: expected(what) }).pipe(mergeExpressionSchema);
}

/** A mapping with a `$each` or `$merge` key, validated as that expression. */
function expression(what: string) {
  return z.union(
    [
      z.custom<unknown>((v) => isMap(v) && '$each' in v, { error: expected(what) }).pipe(eachExpressionSchema),
      z.custom<unknown>((v) => isMap(v) && '$merge' in v && !('$each' in v), { error: expected(what) }).pipe(mergeExpressionSchema),
    ],
    { error: expected(what) },
  );
}

/** A string, or a `$merge` expression. */
const str = z.union([z.string(), mergeOnly('a string')], { error: expected('a string') });

/** A list of `item`, or a `$each`/`$merge` expression. */
function list<T extends z.ZodType>(item: T, what: string) {
  return z.union([z.array(item), expression(what)], { error: expected(what) });
}

const strings = list(z.string(), 'a list of strings');
const stringsOrMerges = list(str, 'a list of strings');

export const blubberfileSchema = z.union([z.string(), z.record(z.string(), z.unknown())], {
  error: expected('a path (relative to .pipeline/) or an inline Blubber config'),
});

export const buildSchema = z.union(
  [
    z.string(),
    z.strictObject({ variant: str.optional(), context: str.optional(), excludes: strings.optional(), imagePullPolicy: str.optional() }),
  ],
  { error: expected('a variant name or a mapping (variant, context, excludes, imagePullPolicy)') },
);

const credentialSchema = z.union([z.strictObject({ id: str, name: str }), mergeOnly('a credential {id, name}')], {
  error: expected('a credential {id, name}'),
});

export const runSchema = z.union(
  [
    z.boolean(),
    z.strictObject({
      image: str.optional(),
      arguments: strings.optional(),
      env: z.union([z.record(z.string(), str), mergeOnly('a mapping of names to strings')], { error: expected('a mapping of names to strings') }).optional(),
      credentials: list(credentialSchema, 'a list of credentials {id, name}').optional(),
      tail: z.int().min(0).optional(),
    }),
  ],
  { error: expected('true/false or a mapping (image, arguments, env, credentials, tail)') },
);

const copyItemSchema = z.union(
  [
    z.string(),
    z.strictObject({ from: str.optional(), source: str, destination: str.optional(), archive: z.boolean().optional() }),
    mergeOnly('a path or a mapping (from, source, destination, archive)'),
  ],
  { error: expected('a path or a mapping (from, source, destination, archive)') },
);

export const copySchema = list(copyItemSchema, 'a list of paths or {from, source, destination, archive}');

export const publishImageSchema = z.union(
  [z.boolean(), z.strictObject({ id: str.optional(), name: str.optional(), tag: str.optional(), tags: stringsOrMerges.optional() })],
  { error: expected('true/false or a mapping (id, name, tag, tags)') },
);

export const publishSchema = z.strictObject({ image: publishImageSchema.optional() });

const promoteItemSchema = z.strictObject({ chart: str.optional(), environments: strings.optional(), version: str.optional() });

export const promoteSchema = z.union([z.boolean(), z.array(promoteItemSchema), expression('a list of {chart, environments}')], {
  error: expected('true or a list of {chart, environments}'),
});

export const deploySchema = z.strictObject({
  chart: z.looseObject({ name: str.optional(), version: str.optional() }),
  image: str.optional(),
  tag: str.optional(),
  cluster: z.literal('ci', { error: 'only the `ci` cluster is supported\nhint: remove `cluster:` or set it to ci' }).optional(),
  test: z.boolean().optional(),
  timeout: z.int().min(1).nullable().optional(),
  overrides: z.union([z.record(z.string(), z.unknown()), mergeOnly('a mapping of Helm values')], { error: expected('a mapping of Helm values') }).optional(),
});

export const notifySchema = z.strictObject({
  email: z
    .strictObject({
      to: z.union([z.string(), z.array(str), expression('an address or a list of addresses')], { error: expected('an address or a list of addresses') }).optional(),
      subject: str.optional(),
      body: str.optional(),
    })
    .optional(),
});

export const triggerSchema = z.strictObject({
  name: z.string({ error: (issue) => (issue.input === undefined ? 'is required: expected the name of the job to trigger' : undefined) }),
  parameters: z.record(z.string(), str).optional(),
  propagate: z.boolean().optional(),
  wait: z.boolean().optional(),
});

export const stageSchema = z.strictObject({
  name: z.string({
    error: (issue) => (issue.input === undefined ? 'is required: expected a string\nhint: every stage needs a `name:`; `execution` and `${name.key}` refer to it' : undefined),
  }),
  blubberfile: blubberfileSchema.optional(),
  build: buildSchema.optional(),
  run: runSchema.optional(),
  copy: copySchema.optional(),
  publish: publishSchema.optional(),
  promote: promoteSchema.optional(),
  deploy: deploySchema.optional(),
  exports: z.record(z.string(), z.unknown()).optional(),
  notify: notifySchema.optional(),
  trigger: triggerSchema.optional(),
});

export const fetchSchema = z.strictObject({
  shallow: z.boolean().optional(),
  depth: z.int().min(0).optional(),
  submodules: z.boolean().optional(),
  tags: z.boolean().optional(),
});

const listOfLists = '`execution` graph must be a list of lists (graph branches)\nhint: write each branch as a list of stage names, e.g. `execution: [[build, test], [build, lint]]`';

export const executionSchema = z.array(z.array(z.string(), { error: listOfLists }), { error: listOfLists });

export const pipelineSchema = z.looseObject({
  stages: z.array(stageSchema, {
    error: (issue) =>
      issue.input === undefined
        ? 'is required: expected a list of stages\nhint: PipelineLib has no default stages; the smallest pipeline is `stages: [{name: test}]`'
        : undefined,
  }),
  execution: executionSchema.optional(),
  blubberfile: blubberfileSchema.optional(),
  directory: z.string().optional(),
  fetch: fetchSchema.optional(),
  notify: notifySchema.optional(),
});

/** The keys PipelineLib reads on a pipeline; others are accepted and ignored (the object is open). */
export const pipelineKeys = Object.keys(pipelineSchema.shape);

export const configSchema = z.looseObject({
  pipelines: z.record(z.string(), pipelineSchema),
});

/** A schema that validates only one named pipeline of the file (so each pipeline's issues stay apart). */
export function onePipelineSchema(name: string) {
  return z.looseObject({ pipelines: z.looseObject({ [name]: pipelineSchema }) });
}

export type RawConfig = z.infer<typeof configSchema>;
export type RawPipeline = z.infer<typeof pipelineSchema>;
export type RawStage = z.infer<typeof stageSchema>;
export type RawBuild = z.infer<typeof buildSchema>;
export type RawRun = z.infer<typeof runSchema>;
export type RawCopy = z.infer<typeof copySchema>;
export type RawPublish = z.infer<typeof publishSchema>;
export type RawPromote = z.infer<typeof promoteSchema>;
export type RawDeploy = z.infer<typeof deploySchema>;
export type RawNotify = z.infer<typeof notifySchema>;
export type RawTrigger = z.infer<typeof triggerSchema>;
export type RawFetch = z.infer<typeof fetchSchema>;
export type MergeExpression = z.infer<typeof mergeExpressionSchema>;
export type EachExpression = z.infer<typeof eachExpressionSchema>;
