/** The dev loop's ports, in our own types: the watcher, the hot path, pods and the fast redeploy. */

export interface WatchEvent {
  /** Project-relative path, `/`-separated. */
  path: string;
  kind: 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';
  /** When the watcher saw it (ms since epoch). */
  at: number;
}

export interface WatchHandle {
  /** Resolves once the initial scan is done and events are live. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Watches a project tree. */
export interface Watcher {
  watch(
    root: string,
    options: {
      /** Paths (project-relative) never watched: noise, and directories no image reads. */
      ignore: (relative: string, isDirectory: boolean) => boolean;
      onEvent: (event: WatchEvent) => void;
      onError: (error: Error) => void;
    },
  ): WatchHandle;
}

/** The dev loop's hot path: files into a running container, and a quick restart. */
export interface ContainerSyncer {
  /** Copies host files into the container at absolute paths, with the given owner and mode. */
  put(containerId: string, files: readonly { hostPath: string; containerPath: string; uid: number; gid: number }[]): Promise<void>;
  /** Restarts the container without waiting for a graceful stop. */
  restart(containerId: string): Promise<void>;
}

/**
 * The image of pods and network anchors: one static program that only waits, imported by the
 * engine adapter from bytes inside devpipe (no registry). Part of the contract because the
 * compose file names it.
 */
export const POD_IMAGE = 'devpipe-anchor:1';
export const POD_PROGRAM = '/devpipe-idle';

/** Makes the pod image exist on the engine (imports it once). */
export interface PodImages {
  /** Throws an environment error where no pod can run (an architecture without the program). */
  ensure(): Promise<void>;
}

/** The dev loop's fast redeploy: a running container replaced by one from another image. */
export interface ContainerReplacer {
  /**
   * Readies later replacements of these containers, called while their new image builds (e.g.
   * keeps a network they are alone on from going empty during the swap). Best effort: never rejects.
   */
  prepare(containerIds: readonly string[]): Promise<void>;
  /** Kills and replaces the container (same name, networks, host config, stack settings); returns the new ID. */
  replace(containerId: string, image: string): Promise<string>;
}
