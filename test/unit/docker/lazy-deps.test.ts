import { createRequire } from 'node:module';
import test from 'ava';

test('connecting loads dockerode without its gRPC session stack and ssh2; they load on first use', async (t) => {
  const require = createRequire(import.meta.url);
  const loaded = (name: string) => Object.keys(require.cache).some((file) => file.includes(`/node_modules/${name}/`));
  await import('../../../src/docker/connect.js');
  t.true(loaded('dockerode'));
  t.false(loaded('@grpc/grpc-js'), 'gRPC is not loaded by connecting');
  t.false(loaded('ssh2'), 'ssh2 is not loaded by connecting');
  // The deferred module is a function that loads the real one when called.
  const fromDockerode = createRequire(require.resolve('dockerode'));
  const withSession = fromDockerode('./session.js') as (...args: unknown[]) => unknown;
  t.is(typeof withSession, 'function');
  t.throws(() => withSession(undefined, undefined, () => undefined));
  t.true(loaded('@grpc/grpc-js'), 'loaded on the first call');
});
