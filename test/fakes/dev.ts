/**
 * Recording fakes at the dev loop's ports: a deploy target that writes down every call in order
 * (and can be held at any step, or told to fail), a watcher events are pushed into, fingerprints
 * from an in-memory file table, and a small real plan (Blubber compiled, stack config loaded).
 */
import { compileVariant } from '../../src/compile/index.js';
import type { BuiltImage } from '../../src/engine/build.js';
import { deploymentWith } from '../../src/engine/dev/deployment.js';
import type { DevBuild, DevPlan } from '../../src/engine/dev/plan.js';
import { stackModel } from '../../src/engine/stack/model.js';
import type { Deployment, DevTarget, Redeployed } from '../../src/engine/targets/types.js';
import { DevpipeError } from '../../src/errors.js';
import type { FileFingerprints, WatchEvent, Watcher, WatchHandle } from '../../src/ports.js';
import { loadBlubber } from '../../src/spec/blubber/index.js';
import { loadStack } from '../../src/spec/stack/index.js';

export const BLUBBER = `version: v4
base: debian:bookworm-slim
lives: {in: /srv/app}
variants:
  web:
    copies:
      - from: local
        source: ./www/
        destination: ./www/
    entrypoint: [httpd]
  api:
    builders:
      - node: {requirements: [package.json]}
    copies:
      - from: local
        source: ./src/
        destination: ./src/
      - from: local
        source: package.json
        destination: package.json
    entrypoint: [node, src/server.js]
  test:
    copies: [local]
    entrypoint: [npm, test]
  e2e:
    copies:
      - from: local
        source: ./e2e/
        destination: ./e2e/
    entrypoint: [sh, e2e/run.sh]
`;

export const STACK = `version: v1
project: demo
services:
  web:
    build: web
    ports: ["18080:8080"]
  api:
    build: api
`;

export const WEB = '.pipeline/blubber.yaml#web';
export const API = '.pipeline/blubber.yaml#api';
export const TEST = '.pipeline/blubber.yaml#test';
export const E2E = '.pipeline/blubber.yaml#e2e';

function build(variant: string, blubber = BLUBBER): DevBuild {
  const loaded = loadBlubber(blubber, '.pipeline/blubber.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const compiled = compileVariant(loaded.value, variant, { localContext: 'views' });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  return { key: `.pipeline/blubber.yaml#${variant}`, image: compiled.value, stages: compiled.value.stages };
}

/** A plan as `devpipe dev` loads it: web (static files, syncable), api (a builder), tests, optionally an e2e suite. */
export function devPlan(options: { tests?: boolean; e2e?: boolean; stack?: string; revision?: string } = {}): DevPlan {
  const stack = `${options.stack ?? STACK}${options.e2e ? 'e2e:\n  build: e2e\n' : ''}`;
  const loaded = loadStack(stack, '.pipeline/devpipe.yaml', { directoryName: 'demo', builtins: [] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return {
    config: loaded.value,
    builds: [build('web'), build('api'), ...(options.e2e ? [build('e2e')] : [])],
    secrets: [],
    specFiles: ['.pipeline/devpipe.yaml', '.pipeline/blubber.yaml', '.dockerignore'],
    ignorePatterns: [],
    tests: options.tests === false ? undefined : build('test'),
    revision: options.revision ?? 'r1',
  };
}

/** A `.dockerignore`-style matcher good enough for these tests: a pattern is a path or a directory. */
export const simpleMatcher = (patterns: readonly string[]) => (relative: string) => patterns.some((p) => relative === p || relative.startsWith(`${p}/`));

interface Gate {
  promise: Promise<void>;
  release(): void;
}

function gate(): Gate {
  let release = () => undefined as void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

/** Waits for a gate, or rejects as cancelled when the signal aborts. */
function held(g: Gate | undefined, signal: AbortSignal): Promise<void> {
  if (!g) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new DevpipeError('interrupted', 'cancelled'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void g.promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

export type Step = 'start' | 'build' | 'settle' | 'tests' | 'e2e';

export class FakeDevTarget implements DevTarget {
  readonly name = 'compose' as const;
  readonly where = 'fake';
  /** Every call, in order (and the end of the long ones). */
  readonly calls: string[] = [];
  /** Build key → the content version its next build produces (the content tag is `key:vN`). */
  readonly versions = new Map<string, number>();
  readonly #gates = new Map<Step, Gate>();
  /** The next start / build fails with this. */
  failStart: Error | undefined;
  failBuild: Error | undefined;
  /** The next redeploys throw this (an environment error: kubectl gone, the engine lost). */
  failRedeploy: Error | undefined;
  /** The next redeploys do not get ready (rolled back). */
  unhealthy = false;
  /** Whether the services have running containers (the hot path needs them). */
  running = true;
  testExit = 0;

  constructor(syncs = true) {
    this.syncer.available = syncs;
  }

  /** Holds every later call of this step until released. */
  hold(step: Step): () => void {
    const g = gate();
    this.#gates.set(step, g);
    return () => {
      this.#gates.delete(step);
      g.release();
    };
  }

  tag(key: string): string {
    return `${key}:v${this.versions.get(key) ?? 0}`;
  }

  /** The calls that match, in order. */
  only(prefix: string): string[] {
    return this.calls.filter((c) => c.startsWith(prefix));
  }

  images: DevTarget['images'] = {
    build: async (_plan, keys, options) => {
      this.calls.push(`build ${keys.join(',')} scan=${options.scan}`);
      // The content is read when the build starts (as a build context is).
      const images = new Map(keys.map((key): [string, BuiltImage] => [key, { variant: key.split('#')[1] ?? key, imageId: `sha256:${key}`, tags: [this.tag(key)], contentTag: this.tag(key), cached: false, durationMs: 1 }]));
      await held(this.#gates.get('build'), options.signal);
      if (this.failBuild) throw this.failBuild;
      this.calls.push(`built ${keys.join(',')}`);
      return images;
    },
  };

  deployer: DevTarget['deployer'] = {
    start: async (plan, signal) => {
      this.calls.push('start');
      await held(this.#gates.get('start'), signal);
      if (this.failStart) throw this.failStart;
      const tags = new Map(plan.builds.map((b) => [b.key, this.tag(b.key)]));
      const model = stackModel(plan.config, tags);
      this.calls.push('started');
      return { deployment: { tags, model }, services: model.services.map((s) => ({ service: s.name, image: s.imageRef ?? '', health: 'healthy' })) };
    },
    prepare: async (_project, services) => {
      this.calls.push(`prepare ${services.join(',')}`);
    },
    redeploy: async (plan, current: Deployment, changed, options): Promise<Redeployed> => {
      this.calls.push(`redeploy ${[...changed.values()].join(',')}`);
      if (this.failRedeploy) throw this.failRedeploy;
      const next = deploymentWith(plan, current, changed);
      options.onSettling([...changed.keys()]);
      try {
        await held(this.#gates.get('settle'), options.signal);
      } catch {
        this.calls.push('superseded');
        return { kind: 'superseded', deployment: next };
      } finally {
        options.onSettling([]);
      }
      if (this.unhealthy) {
        this.calls.push('rolled back');
        return { kind: 'rolled-back', failure: new DevpipeError('failure', 'service "web" did not become healthy') };
      }
      this.calls.push(`served ${[...changed.values()].join(',')}`);
      return { kind: 'served', deployment: next, services: next.model.services.filter((s) => [...changed.values()].includes(s.imageRef ?? '')).map((s) => ({ service: s.name, image: s.imageRef ?? '', health: 'healthy' })) };
    },
    followLogs: (_project, service) => {
      this.calls.push(`logs ${service}`);
    },
  };

  syncer: { available: boolean; sync: DevTarget['syncer']['sync'] } = {
    available: true,
    sync: async (_project, service, copies, restart) => {
      this.calls.push(`sync ${service} ${copies.map((c) => c.containerPath).join(',')} restart=${restart}${this.running ? '' : ' (none running)'}`);
      return this.running;
    },
  };

  suites: DevTarget['suites'] = {
    unitTests: async (_project, image, options) => {
      this.calls.push(`unit tests ${image}`);
      await held(this.#gates.get('tests'), options.signal);
      this.calls.push('unit tests done');
      return this.testExit;
    },
    e2e: async (_plan, deployment, _run, signal) => {
      this.calls.push(`e2e against ${[...deployment.tags.values()].join(',')}`);
      await held(this.#gates.get('e2e'), signal);
      return 0;
    },
  };
}

/** A watcher the test pushes events into. */
export class FakeWatcher implements Watcher {
  #onEvent: ((event: WatchEvent) => void) | undefined;
  closed = false;
  ignore: ((relative: string, isDirectory: boolean) => boolean) | undefined;

  watch(_root: string, options: Parameters<Watcher['watch']>[1]): WatchHandle {
    this.#onEvent = options.onEvent;
    this.ignore = options.ignore;
    return { ready: Promise.resolve(), close: async () => void (this.closed = true) };
  }

  push(path: string): void {
    this.#onEvent?.({ path, kind: 'change', at: Date.now() });
  }
}

/** File contents in memory: the fingerprint is the content. */
export class FakeFingerprints implements FileFingerprints {
  readonly files = new Map<string, string>();

  async of(relative: string): Promise<string | undefined> {
    return this.files.get(relative);
  }
}
