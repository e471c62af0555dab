/**
 * The normalized, fully defaulted stack config: what everything after `loadStack` sees. Target
 * neutral: the compose renderer and (later) the kube renderer read the same values.
 */

export type ImageSource =
  /** Built here from a Blubber variant of this repository. */
  | { kind: 'build'; variant: string; blubber: string }
  /** Pinned to an image, as deployed in staging (`aliasOf`: the image named, when a settings alias replaced it). */
  | { kind: 'pinned'; ref: string; aliasOf?: string | undefined };

export interface PortConfig {
  container: number;
  host: number;
}

export interface SecretUse {
  name: string;
  /** Mounted as `/run/secrets/<name>`. */
  file: boolean;
  /** Also exposed as this environment variable. */
  env?: string | undefined;
}

export type VolumeConfig =
  | { kind: 'named'; name: string; path: string; readOnly: boolean }
  | { kind: 'bind'; host: string; path: string; readOnly: boolean };

export interface HealthcheckConfig {
  /** Exec form, run inside the container (empty for an HTTP check). */
  command: string[];
  /** An HTTP GET from the service's sidecar (its network namespace), instead of `command`. */
  http?: { port: number; path: string } | undefined;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export interface ServiceConfig {
  name: string;
  description?: string | undefined;
  image: ImageSource;
  /** Replaces the image entrypoint. */
  command?: string[] | undefined;
  /** Replaces the image command. */
  args?: string[] | undefined;
  ports: PortConfig[];
  env: Record<string, string>;
  secrets: SecretUse[];
  healthcheck?: HealthcheckConfig | undefined;
  dependsOn: string[];
  volumes: VolumeConfig[];
  /** `dev`: restart the process after a hot sync (false: the service reloads changed files itself). */
  syncRestart: boolean;
  /** Generated files mounted read-only (rendered config files), secrets written into them at deploy time. */
  files: MountedFile[];
  /** Mesh listeners served on `localhost:<port>` by the service's sidecar, by name. */
  listeners: ListenerConfig[];
  /** `--target minikube`: deployed with this Helm chart instead of generated manifests. */
  chart?: ChartSpecConfig | undefined;
}

export interface MountedFile {
  path: string;
  /** The file's text (a mapping in devpipe.yaml is written out as YAML). */
  content: string;
  /** YAML key path (dots) → secret name: the value written there at deploy time. */
  secrets: Record<string, string>;
}

export interface ListenerConfig {
  name: string;
  port: number;
  /** Forward to a stack service, or answer 404 with a note (a stub). */
  route: { kind: 'forward'; service: string; port: number } | { kind: 'stub'; note: string };
}

export interface ChartSpecConfig {
  path: string;
  values: string[];
  /** The staging-defaults layer (general values), after the chart's values.yaml. */
  defaults?: string | undefined;
  /** Values path → secret: fakes written into the private slot there. */
  secrets?: Record<string, string> | undefined;
  /** Set last (`--set`). */
  set?: Record<string, string | number | boolean | null> | undefined;
  release?: string | undefined;
  test: boolean;
}

export interface SuiteConfig {
  image: ImageSource;
  command?: string[] | undefined;
  args?: string[] | undefined;
  env: Record<string, string>;
  secrets: SecretUse[];
  timeoutMs: number;
}

export interface SecretDeclaration {
  name: string;
  /** The committed fake value, if any. */
  fake?: string | undefined;
  description?: string | undefined;
  /** Where it is declared, for messages (`file:line:col`). */
  declaredAt: string;
}

export interface StackSettings {
  target: 'compose' | 'minikube';
  healthTimeoutMs: number;
  /** `dev`: how long a redeployed service must stay up before the change counts as served. */
  settleMs: number;
  freshBuilds: boolean;
  output: 'auto' | 'plain';
  buildConcurrency: number;
  /** Compose: each built service runs inside a pod (an idle container holding its network). */
  pods: boolean;
  /** The image of listener/health sidecars. */
  sidecarImage: string;
}

export interface StackConfig {
  /** The stack (compose project / namespace) name. */
  project: string;
  /** The config file as shown to the user, or undefined for the zero-config default. */
  file: string | undefined;
  /** The profile that was applied. */
  profile: string;
  /** Every profile available (built-in and the project's). */
  profiles: string[];
  settings: StackSettings;
  /** In dependency order (dependencies first), ties in declaration order. */
  services: ServiceConfig[];
  e2e?: SuiteConfig | undefined;
  secrets: SecretDeclaration[];
}

export const DEFAULT_PROFILE = 'compose';
export const DEFAULT_SIDECAR_IMAGE = 'busybox:stable';
export const DEFAULT_BLUBBER = '.pipeline/blubber.yaml';
export const STACK_FILE = '.pipeline/devpipe.yaml';
