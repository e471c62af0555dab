/**
 * DockerContainerRunner.watchChanges against the real engine: the health wait of `up` wakes on the
 * engine's events (a container started, changed health) instead of at its next poll.
 */
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { dockerTest } from '../helpers/docker.js';

const { test, docker } = await dockerTest();
const containers = new DockerContainerRunner(docker);
const run = `w${process.pid}`;
const labels = { 'devpipe.project': 'watch-test', 'devpipe.run': run };

test.after.always(async () => {
  for (const c of await containers.list(labels)) await containers.remove(c.id);
});

test('watchChanges: called when a labelled container starts and when its health changes, not after the signal', async (t) => {
  const watching = new AbortController();
  const seen: string[] = [];
  let waiter: (() => void) | undefined;
  containers.watchChanges(
    labels,
    () => {
      void containers.list(labels).then((list) => {
        seen.push(list[0]?.status ?? 'none');
        waiter?.();
      });
    },
    watching.signal,
  );
  // Another project's container wakes nobody.
  const foreign = await docker.createContainer({ Image: 'busybox:stable', Cmd: ['sleep', '30'], Labels: { 'devpipe.project': 'watch-test-other', 'devpipe.run': run } });
  const container = await docker.createContainer({
    Image: 'busybox:stable',
    Cmd: ['sleep', '30'],
    Labels: labels,
    Healthcheck: { Test: ['CMD', '/bin/busybox', 'true'], Interval: 300_000_000, Retries: 3 },
    HostConfig: { Init: true },
  });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const beforeStart = seen.length;
    t.true(beforeStart >= 1, 'the create is a change');
    await foreign.start();
    await new Promise((r) => setTimeout(r, 300));
    t.is(seen.length, beforeStart, 'a container of another project is not');
    const healthy = new Promise<void>((resolve) => {
      waiter = () => {
        if (seen.some((s) => /\(healthy\)/.test(s))) resolve();
      };
    });
    await container.start();
    await Promise.race([healthy, new Promise((_, reject) => setTimeout(() => reject(new Error(`not woken by the health change; saw ${JSON.stringify(seen)}`)), 15_000))]);
    t.true(seen.some((s) => /health: starting/.test(s) || /\(healthy\)/.test(s)));
    watching.abort();
    const after = seen.length;
    await container.stop({ t: 0 });
    await new Promise((r) => setTimeout(r, 500));
    t.is(seen.length, after, 'no call once the signal has ended the watch');
  } finally {
    await container.remove({ force: true });
    await foreign.remove({ force: true });
  }
});
