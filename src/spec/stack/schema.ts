/**
 * `.pipeline/devpipe.yaml` (`version: v1`): devpipe's own config for the local copy of staging.
 * The single source of truth for its shape: types are inferred from it and
 * docs/devpipe-yaml-reference.md is generated from it (scripts/gen-stack-reference.ts).
 * Custom messages follow `"what\nhint: what to do"`.
 */
import { z } from 'zod';
import { imageRefProblem } from './image-ref.js';

/** Service, secret and profile names: usable as compose service names and Kubernetes names. */
export const namePattern = /^[a-z0-9][a-z0-9_-]*$/;
const name = z
  .string()
  .regex(namePattern, { error: (issue) => `${JSON.stringify(issue.input)} is not a valid name\nhint: use lowercase letters, digits, - and _ (starting with a letter or digit)` });

/** Secret names: also upper case and dots, so PipelineLib credential ids (`SONAR_API_KEY`) work. */
export const secretNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const secretName = z
  .string()
  .regex(secretNamePattern, { error: (issue) => `${JSON.stringify(issue.input)} is not a valid secret name\nhint: use letters, digits, -, _ and . (starting with a letter or digit)` });

/** `2s`, `500ms`, `1m`, or a number of seconds. */
export const durationPattern = /^\d+(ms|s|m)$/;
const duration = z
  .union([z.number().nonnegative(), z.string().regex(durationPattern)])
  .describe('a duration: `500ms`, `2s`, `1m`, or a number of seconds');

const envValue = z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value));
const envMap = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'is not a valid environment variable name' }), envValue);

const command = z.array(z.string()).min(1).describe('exec form: a list of strings');

const build = z
  .union([
    z.string().min(1),
    z.strictObject({
      variant: z.string().min(1).describe('the Blubber variant to build'),
      blubber: z.string().min(1).optional().describe('Blubber file, relative to the project (default `.pipeline/blubber.yaml`)'),
    }),
  ])
  .describe('build the image here from a Blubber variant of this repository: `build: production` or `{variant, blubber}`');

/** `"8080"` or `"18080:8080"`, each port 1–65535 (`"H:0"`, `"28096:99999"` are refused here, not by Compose). */
const portString = z
  .string()
  .regex(/^(\d{1,5}:)?\d{1,5}$/, { error: 'expected `CONTAINER` or `HOST:CONTAINER`, e.g. "18080:8080"', abort: true })
  .refine((text) => text.split(':').every((part) => Number(part) >= 1 && Number(part) <= 65535), {
    error: (issue) => `${JSON.stringify(issue.input)}: a port is a number from 1 to 65535\nhint: e.g. "18080:8080" (HOST:CONTAINER)`,
  });

/** A pinned image: a valid Docker reference (checked here, not when Compose pulls it). */
export const imageRef = z
  .string()
  .min(1)
  .superRefine((ref, ctx) => {
    const problem = imageRefProblem(ref);
    if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(ref)} is not a valid image reference: ${problem}\nhint: pin the image as staging runs it, e.g. \`busybox:stable\`` });
  });

const port = z
  .union([
    z.number().int().min(1).max(65535),
    portString,
    z.strictObject({
      container: z.number().int().min(1).max(65535).describe('the port the service listens on'),
      host: z.number().int().min(1).max(65535).optional().describe('the port on this machine (default: the same as `container`)'),
    }),
  ])
  .describe('published port: `8080` (same port on the host), `"18080:8080"` (HOST:CONTAINER) or `{container, host}`');

const secretUse = z
  .union([
    secretName,
    z.strictObject({
      name: secretName.describe('a secret declared under `secrets:`'),
      env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('also expose the value as this environment variable'),
      file: z.boolean().default(true).describe('mount it as the file `/run/secrets/<name>` (default true)'),
    }),
  ])
  .describe('a secret this service needs: its name (mounted as `/run/secrets/<name>`) or `{name, env, file}`');

const volume = z
  .strictObject({
    name: name.optional().describe('a named volume, kept by `down` unless `--volumes`'),
    host: z.string().min(1).optional().describe('a path of the project (relative) bind-mounted into the container'),
    path: z.string().regex(/^\//, { error: 'must be an absolute path in the container' }).describe('where it is mounted in the container'),
    read_only: z.boolean().default(false),
  })
  .describe('a named volume `{name, path}` or a project path `{host, path}`');

const httpProbe = z
  .strictObject({
    port: z.number().int().min(1).max(65535).describe('the container port to probe'),
    path: z.string().regex(/^\//, { error: 'must start with /' }).default('/').describe('the path to GET; healthy on a 2xx/3xx answer'),
  })
  .describe("an HTTP GET run from the service's sidecar in its network namespace (for images without a shell or an HTTP client), like a Kubernetes `httpGet` probe");

const healthcheck = z
  .strictObject({
    command: z.union([command, z.string().min(1)]).optional().describe('run inside the container; healthy when it exits 0 (a string runs through `sh -c`)'),
    http: httpProbe.optional(),
    interval: duration.default('1s'),
    timeout: duration.default('3s'),
    retries: z.number().int().min(1).default(30),
    start_period: duration.default('0s'),
  })
  .refine((check) => (check.command === undefined) !== (check.http === undefined), { error: 'a healthcheck has either `command` or `http`\nhint: `command: [...]` runs inside the container, `http: {port, path}` probes it from its sidecar' })
  .describe('how to tell the service is ready (`command` or `http`); without one, "running" counts as ready');

const mountedFile = z
  .strictObject({
    path: z.string().regex(/^\//, { error: 'must be an absolute path in the container' }).describe('where the file is mounted (read-only) in the container'),
    content: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .describe('the file\'s text, or a mapping written out as YAML'),
    secrets: z
      .record(z.string().regex(/^[^.\s]+(\.[^.\s]+)*$/, { error: 'expected a dotted key path, e.g. `cassandra.authentication.password`' }), secretName)
      .default({})
      .describe('secret values written into the file at deploy time: YAML key path (dots; list indexes are numbers) → a secret declared under `secrets:`; the whole file is then treated as secret material'),
  })
  .describe('a generated config file mounted at `path` (e.g. a chart\'s rendered `config.yaml`), written under `.devpipe/` at deploy time, never into an image');

const listener = z
  .strictObject({
    port: z.number().int().min(1).max(65535).describe('the local port the service calls (`localhost:<port>`)'),
    to: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]*:\d{1,5}$/, { error: 'expected `service:port`, e.g. `zotero:1969`' })
      .optional()
      .describe('forward to this stack service (`service:port`, plain HTTP)'),
    stub: z.string().optional().describe('no local service: answer every request with 404 and this text (what stands in for it)'),
    description: z.string().optional(),
  })
  .refine((l) => (l.to === undefined) !== (l.stub === undefined), { error: 'a listener has either `to` or `stub`' })
  .describe("a mesh listener: a forwarder on `localhost:<port>` in the service's network namespace (its sidecar), as staging's envoy serves it");

export const serviceSchema = z
  .strictObject({
    description: z.string().optional().describe('shown in docs and `up --dry-run`'),
    build: build.optional(),
    image: imageRef.optional().describe('a pinned image, as deployed in staging (must exist locally or be pullable)'),
    command: command.optional().describe('replaces the image entrypoint'),
    args: command.optional().describe('replaces the image command (arguments of the entrypoint)'),
    ports: z.array(port).default([]),
    env: envMap.default({}).describe('environment variables (numbers and booleans become strings; `$` is literal)'),
    secrets: z.array(secretUse).default([]),
    healthcheck: healthcheck.optional(),
    depends_on: z.array(name).default([]).describe('services started (and healthy) before this one'),
    volumes: z.array(volume).default([]),
    sync: z
      .strictObject({
        restart: z.boolean().default(true).describe('restart the service\'s process after `dev` copies changed files into it (default true: a server that loaded the old code keeps serving it otherwise); false for a service that reloads changed files itself'),
      })
      .optional()
      .describe('`devpipe dev`\'s hot path: files copied into the running container instead of a rebuild'),
    files: z.array(mountedFile).default([]).describe('generated config files mounted into the container'),
    listeners: z.record(z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/), listener).default({}).describe('mesh listeners by name (staging `discovery.listeners`)'),
    chart: z
      .strictObject({
        path: z.string().min(1).describe('a local chart directory, relative to the project (e.g. `../deployment-charts/charts/<name>`)'),
        values: z.array(z.string().min(1)).default([]).describe('values files in order, relative to the project (deployment-charts: `helmfile.d/services/<svc>/values.yaml`, `values-staging.yaml`); the fake secrets go in the private slot before the first `values-<env>.yaml`'),
        release: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'must be a lowercase DNS label (a-z, 0-9, -)' }).max(53).optional().describe('the Helm release name (default: the service name)'),
        test: z.boolean().default(true).describe('run `helm test` after the install, as PipelineLib\'s deploy step does'),
        defaults: z.string().min(1).optional().describe("the staging-defaults layer (SRE general values: registry, `services_proxy` listeners, …), relative to the project; layered right after the chart's own values.yaml"),
        secrets: z.record(z.string().min(1), secretName).default({}).describe('fake secrets written into the private slot at these values paths (dots), e.g. `main_app.cassandra.authentication.password: <secret>`'),
        set: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}).describe('values set last (`helm --set`, typed; null deletes), e.g. `mesh.enabled: false`: what the local copy turns off'),
      })
      .optional()
      .describe('`--target minikube` only: deploy this service with its Helm chart (`helm upgrade --install`, image override of `main_app.*` or `app.*`) instead of generated manifests; the compose target ignores it'),
  })
  .describe('one service of the local staging copy: `build` (built here) or `image` (pinned)');

export const e2eSchema = z
  .strictObject({
    build: build.optional(),
    image: imageRef.optional(),
    command: command.optional(),
    args: command.optional(),
    env: envMap.default({}).describe('e.g. `API_URL: http://api:8080` (services are reachable by name)'),
    secrets: z.array(secretUse).default([]),
    timeout: duration.default('10m'),
  })
  .describe('the e2e suite: a Blubber variant of this repository, or an image + command; runs on the stack network');

const secretDecl = z
  .union([
    z.union([z.string(), z.number()]).transform((fake) => ({ fake: String(fake) })),
    z.strictObject({
      fake: z.union([z.string(), z.number()]).transform(String).optional().describe('the committed fake value (fake: safe to commit)'),
      description: z.string().optional(),
    }),
    z.null().transform(() => ({})),
  ])
  .describe('a fake secret: its fake value, or `{fake, description}`; no value = must come from outside the repo');

export const settingsSchema = z
  .strictObject({
    target: z.enum(['compose', 'minikube']).optional().describe('where the stack runs (default compose)'),
    health_timeout: duration.optional().describe('how long `up` waits for every service to be healthy (default 120s)'),
    settle: duration
      .optional()
      .describe('`dev`: how long a redeployed service must stay up (and healthy) before the change counts as served; a save during it supersedes the redeploy (default 500ms)'),
    fresh_builds: z.boolean().optional().describe('build without the cache (CI parity)'),
    output: z.enum(['auto', 'plain']).optional().describe('`plain`: line-oriented output even on a terminal'),
    build_concurrency: z.number().int().min(1).max(16).optional().describe('images built at the same time (default 2)'),
    sidecar_image: z
      .string()
      .min(1)
      .optional()
      .describe('the image of the sidecars that run listeners and HTTP health checks (default `busybox:stable`: needs `sh`, `nc`, `httpd`, `wget`)'),
    pods: z
      .boolean()
      .optional()
      .describe('compose: run each built service inside a pod holding its address, ports and aliases, as Kubernetes does, so a redeploy replaces only its container (default true; false on engines that are neither amd64 nor arm64)'),
  })
  .describe('how devpipe runs the stack');

const serviceOverlay = serviceSchema.partial();
export const profileSchema = z
  .strictObject({
    description: z.string().optional(),
    settings: settingsSchema.optional(),
    services: z.record(name, serviceOverlay).optional().describe('per-service overrides (maps merge, lists replace)'),
    e2e: e2eSchema.partial().optional(),
  })
  .describe('an overlay applied with `--profile NAME`');

export const stackSchema = z
  .strictObject({
    version: z.literal('v1').describe('the config version; older versions are upgraded by the loader\'s upgrade hook'),
    project: z.string().regex(namePattern).optional().describe('the stack name (default: the project directory name)'),
    settings: settingsSchema.optional(),
    services: z.record(name, serviceSchema).describe('the services of the local staging copy'),
    e2e: e2eSchema.optional(),
    secrets: z.record(secretName, secretDecl).default({}).describe('fake secrets, declared once'),
    profiles: z.record(name, profileSchema).default({}).describe('project profiles, overlaid with `--profile NAME` (over the built-in one of the same name)'),
  })
  .describe('.pipeline/devpipe.yaml');

export type StackFile = z.output<typeof stackSchema>;
export type ServiceSpec = z.output<typeof serviceSchema>;
export type E2eSpec = z.output<typeof e2eSchema>;
export type ProfileSpec = z.output<typeof profileSchema>;
export type SettingsSpec = z.output<typeof settingsSchema>;
export type BuildSpec = NonNullable<ServiceSpec['build']>;
export type PortSpec = ServiceSpec['ports'][number];
export type SecretUseSpec = ServiceSpec['secrets'][number];
export type VolumeSpec = ServiceSpec['volumes'][number];
export type MountedFileSpec = ServiceSpec['files'][number];
export type ListenerSpec = ServiceSpec['listeners'][string];
