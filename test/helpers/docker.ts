/**
 * Integration tests run against a real Docker engine. When none is reachable they skip with the
 * reason printed; with DEVPIPE_REQUIRE_DOCKER=1 (CI) a missing engine fails the run instead.
 */
import anyTest, { type TestFn } from 'ava';
import Docker from 'dockerode';
import { connect, findEngine } from '../../src/docker/connect.js';

export type Gate = { decision: 'run' } | { decision: 'skip' | 'fail'; reason: string };

/** The pure decision, tested on its own. */
export function engineGate(reachable: boolean, required: boolean, reason: string): Gate {
  if (reachable) return { decision: 'run' };
  return { decision: required ? 'fail' : 'skip', reason };
}

export function dockerRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DEVPIPE_REQUIRE_DOCKER === '1' || env.DEVPIPE_REQUIRE_DOCKER === 'true';
}

let cached: Promise<{ gate: Gate; docker: Docker | undefined }> | undefined;

export function probeEngine(): Promise<{ gate: Gate; docker: Docker | undefined }> {
  cached ??= (async () => {
    const endpoint = findEngine();
    const docker = connect(endpoint);
    try {
      await Promise.race([docker.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000))]);
      return { gate: engineGate(true, dockerRequired(), ''), docker };
    } catch (error) {
      const reason = `no Docker engine reachable via ${endpoint.foundVia}: ${(error as Error).message}`;
      return { gate: engineGate(false, dockerRequired(), reason), docker: undefined };
    }
  })();
  return cached;
}

/**
 * Returns the `test` function to use in an integration file: the real one when an engine is
 * reachable; otherwise one whose tests are skipped (printing why) or, when Docker is required,
 * a single failing test naming the reason.
 */
export async function dockerTest<Context = unknown>(): Promise<{ test: TestFn<Context>; docker: Docker }> {
  const test = anyTest as TestFn<Context>;
  const { gate, docker } = await probeEngine();
  if (gate.decision === 'run' && docker) return { test, docker };
  const reason = gate.decision === 'run' ? 'engine client missing' : gate.reason;
  if (gate.decision === 'fail') {
    test('a Docker engine is required (DEVPIPE_REQUIRE_DOCKER=1)', (t) => {
      t.fail(`${reason}. Start the engine (on Debian: sudo bash scripts/provision-debian.sh).`);
    });
  } else {
    console.log(`skipping Docker integration tests: ${reason} (set DEVPIPE_REQUIRE_DOCKER=1 to fail instead)`);
  }
  // Every test registered through this function is skipped; hooks become no-ops.
  const skipped = Object.assign((title: string) => test.skip(title, () => undefined), test, {
    before: () => undefined,
    after: Object.assign(() => undefined, { always: () => undefined }),
    beforeEach: () => undefined,
    afterEach: Object.assign(() => undefined, { always: () => undefined }),
    serial: (title: string) => test.skip(title, () => undefined),
  }) as unknown as TestFn<Context>;
  return { test: skipped, docker: new Docker({ socketPath: '/nonexistent' }) };
}

