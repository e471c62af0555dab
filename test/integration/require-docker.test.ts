/**
 * Proves the gate: with DEVPIPE_REQUIRE_DOCKER=1 and no engine, the integration suite fails
 * instead of skipping; without it, it skips and says why. Runs ava on a real integration file
 * with DOCKER_HOST pointing at a socket that does not exist.
 */
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { engineGate } from '../helpers/docker.js';
import { repoRoot } from '../helpers/cli.js';

const ava = path.join(repoRoot, 'node_modules', '.bin', 'ava');
const file = 'test/integration/docker-adapter.test.ts';
const noEngine = { DOCKER_HOST: 'unix:///nonexistent/devpipe-test.sock', CI: 'true' };

test('engineGate: run, skip, or fail', (t) => {
  t.deepEqual(engineGate(true, true, 'x'), { decision: 'run' });
  t.deepEqual(engineGate(false, false, 'why'), { decision: 'skip', reason: 'why' });
  t.deepEqual(engineGate(false, true, 'why'), { decision: 'fail', reason: 'why' });
});

test('with DEVPIPE_REQUIRE_DOCKER=1 and no engine the integration suite fails', async (t) => {
  const result = await execa(ava, [file], { cwd: repoRoot, env: { ...noEngine, DEVPIPE_REQUIRE_DOCKER: '1' }, reject: false, all: true });
  t.not(result.exitCode, 0, result.all);
  t.regex(String(result.all), /a Docker engine is required/);
  t.regex(String(result.all), /nonexistent\/devpipe-test\.sock/);
});

test('without DEVPIPE_REQUIRE_DOCKER and no engine the integration suite skips and says why', async (t) => {
  const result = await execa(ava, [file], { cwd: repoRoot, env: { ...noEngine, DEVPIPE_REQUIRE_DOCKER: '' }, reject: false, all: true });
  t.is(result.exitCode, 0, result.all);
  t.regex(String(result.all), /skipping Docker integration tests: no Docker engine reachable/);
  t.regex(String(result.all), /skipped/);
});
