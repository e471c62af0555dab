/** The ports of a deployed stack: the rendered target, its deployer, and what it left behind (by label). */

/** A rendered stack as the deployer sees it (compose: `-p project -f file`). */
export interface StackTarget {
  /** The pinned project name: every call carries it. */
  project: string;
  /** Absolute path of the rendered file (compose file under `.devpipe/`). */
  file: string;
  /** Working directory for the tool (the project directory). */
  cwd: string;
  /**
   * Env secrets' values for the compose file's `${DEVPIPE_INJECT_*-}` references: given to the
   * tool's process environment only (never written to a file), byte for byte.
   */
  env?: Readonly<Record<string, string>> | undefined;
}

/** Deploys a rendered stack (Compose today; the kube target implements the same port). */
export interface StackDeployer {
  /** `docker compose 2.26.1`; throws the hinted environment error when the tool is missing. */
  describe(): Promise<string>;
  /**
   * Deploys the stack. With `services`, only those are (re)created, without touching their
   * dependencies, and a replaced container is killed at once instead of waiting its stop timeout.
   */
  up(target: StackTarget, options?: { signal?: AbortSignal | undefined; onLine?: ((line: string) => void) | undefined; services?: readonly string[] | undefined }): Promise<void>;
  down(target: StackTarget, options: { volumes: boolean; signal?: AbortSignal | undefined }): Promise<void>;
  logs(
    target: StackTarget,
    options: { services?: readonly string[]; follow?: boolean; tail?: number; signal?: AbortSignal | undefined; onLine: (line: string) => void },
  ): Promise<void>;
}

/**
 * Volumes and networks found by label (`down` without a rendered file, `down --volumes` after a
 * plain `down`, crash cleanup): never by memory of what was created.
 */
export interface StackResources {
  volumes(labels: Readonly<Record<string, string>>): Promise<string[]>;
  removeVolume(name: string): Promise<void>;
  networks(labels: Readonly<Record<string, string>>): Promise<{ id: string; name: string }[]>;
  removeNetwork(id: string): Promise<void>;
}
