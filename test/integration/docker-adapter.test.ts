/**
 * The Docker adapters against the real engine: streamed contexts with .dockerignore, classic and
 * BuildKit builds, labels, failures that carry their evidence, cancellation, run/copy/remove.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerContainerCopier } from '../../src/docker/container-copy.js';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { builderChoice, DockerImageBuilder } from '../../src/docker/image-builder.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { DevpipeError } from '../../src/errors.js';
import { dockerTest } from '../helpers/docker.js';
import { tempProject } from '../helpers/tmp.js';

const { test, docker } = await dockerTest();
/** Every API path the adapters dial (to see that no BuildKit session is opened). */
const dialed: string[] = [];
if (docker) {
  const dial = docker.modem.dial.bind(docker.modem);
  docker.modem.dial = ((options: { path?: string }, callback: unknown) => {
    dialed.push(String(options.path ?? '').replace(/\?.*$/, ''));
    return (dial as (o: unknown, c: unknown) => unknown)(options, callback);
  }) as typeof docker.modem.dial;
}
const builder = new DockerImageBuilder(docker);
const classic = new DockerImageBuilder(docker, 'classic');
const images = new DockerImageStore(docker);
const containers = new DockerContainerRunner(docker);
const copier = new DockerContainerCopier(docker);
const run = `t${process.pid}`;
const labels = { 'devpipe.project': 'adapter-test', 'devpipe.run': run };

test.after.always(async () => {
  for (const c of await containers.list(labels)) await containers.remove(c.id);
  for (const image of await images.list(labels)) await images.remove(image.id, { force: true });
});

const project = {
  'app/hello.txt': 'hello from the context\n',
  'app/ignored.log': 'must not be sent\n',
  'secrets.env': 'TOKEN=nope\n',
  '.dockerignore': '**/*.log\nsecrets.env\n',
};

test('classic build: streamed context honours .dockerignore, labels and tags are applied', async (t) => {
  const dir = await tempProject(project);
  const lines: string[] = [];
  const tag = `devpipe-test/adapter:${run}-classic`;
  t.false(await classic.usesBuildkit());
  const result = await classic.build({
    contextDir: dir,
    dockerfile: 'FROM debian:bookworm-slim AS final\nCOPY . /srv/app/\nRUN ls -R /srv/app && cat /srv/app/app/hello.txt\n',
    target: 'final',
    tags: [tag],
    labels,
    onLog: (line) => lines.push(line),
  });
  t.regex(result.imageId, /^sha256:[0-9a-f]{64}$/);
  t.true(lines.some((l) => l.includes('hello from the context')), 'RUN output is streamed');
  t.false(lines.some((l) => l.includes('ignored.log') || l.includes('secrets.env')), 'ignored files are not in the context');
  const info = await images.inspect(tag);
  t.is(info?.id, result.imageId);
  t.is(info?.labels['devpipe.project'], 'adapter-test');

  const output: string[] = [];
  const ran = await containers.run({
    image: tag,
    command: ['sh', '-c', 'cat /srv/app/app/hello.txt; echo oops >&2; exit 3'],
    labels,
    onOutput: (line, stream) => output.push(`${stream}:${line}`),
  });
  t.is(ran.exitCode, 3);
  // stdout and stderr are separate streams: their relative order is not guaranteed.
  t.deepEqual([...output].sort(), ['stderr:oops', 'stdout:hello from the context']);

  const out = await mkdtemp(path.join(tmpdir(), 'devpipe-copy-'));
  await copier.copy(ran.containerId, '/srv/app/app', path.join(out, 'app'));
  t.is(await readFile(path.join(out, 'app', 'hello.txt'), 'utf8'), 'hello from the context\n');
  await containers.remove(ran.containerId);
  t.deepEqual((await containers.list(labels)).filter((c) => c.id === ran.containerId), []);
});

test('BuildKit build through the API (cache mounts need it)', async (t) => {
  const dir = await tempProject(project);
  const lines: string[] = [];
  const result = await builder.build({
    contextDir: dir,
    dockerfile: 'FROM debian:bookworm-slim AS final\nRUN --mount=type=cache,target=/cache echo buildkit-ran > /cache/x && cat /cache/x\n',
    target: 'final',
    tags: [`devpipe-test/adapter:${run}-bk`],
    labels,
    buildkit: true,
    onLog: (line) => lines.push(line),
  });
  t.regex(result.imageId, /^sha256:/);
  t.true(lines.some((l) => l.includes('buildkit-ran')), lines.join('\n'));
  t.false(dialed.includes('/session'), `no gRPC BuildKit session was opened (dialed: ${dialed.join(' ')})`);
});

for (const [name, chosen] of [['classic', classic], ['BuildKit', builder]] as const) {
  test(`a failing build rejects with the build output as evidence, and tags nothing (${name})`, async (t) => {
    const dir = await tempProject(project);
    const tag = `devpipe-test/adapter:${run}-fail-${name.toLowerCase()}`;
    t.is(await chosen.usesBuildkit(), name === 'BuildKit');
    const error = await t.throwsAsync(
      chosen.build({ contextDir: dir, dockerfile: 'FROM debian:bookworm-slim\nRUN echo about-to-fail && exit 7\n', tags: [tag], labels }),
      { instanceOf: DevpipeError },
    );
    t.is(error?.kind, 'failure');
    t.is(error?.exitCode, 1);
    // classic: "returned a non-zero code: 7"; BuildKit: "exit code: 7"
    t.regex(error?.message ?? '', name === 'classic' ? /returned a non-zero code: 7/ : /exit code: 7/);
    t.true(error?.details.some((d) => d.includes('about-to-fail')));
    t.is(await images.inspect(tag), undefined);
  });
}

test('DEVPIPE_BUILDER: auto by default, buildkit or classic; anything else is a usage error', (t) => {
  t.is(builderChoice(undefined), 'auto');
  t.is(builderChoice('classic'), 'classic');
  t.is(builderChoice('buildkit'), 'buildkit');
  t.is(t.throws(() => builderChoice('kaniko'))?.message, 'DEVPIPE_BUILDER=kaniko is not a builder devpipe knows');
});

test('a missing base image that cannot be pulled fails with a hint, not a hang', async (t) => {
  const dir = await tempProject(project);
  const error = await t.throwsAsync(
    builder.build({ contextDir: dir, dockerfile: 'FROM devpipe-test/does-not-exist:never\n', tags: [], labels }),
    { instanceOf: DevpipeError },
  );
  t.regex(error?.hint ?? '', /never needs a registry for images that exist locally/);
});

test('a cancelled build stops and leaves nothing tagged', async (t) => {
  const dir = await tempProject(project);
  const tag = `devpipe-test/adapter:${run}-cancel`;
  const abort = new AbortController();
  const building = builder.build({
    contextDir: dir,
    dockerfile: 'FROM debian:bookworm-slim\nRUN echo started && sleep 30\n',
    tags: [tag],
    labels,
    signal: abort.signal,
    onLog: (line) => {
      if (line.includes('started')) abort.abort();
    },
  });
  const error = await t.throwsAsync(building, { instanceOf: DevpipeError });
  t.is(error?.kind, 'interrupted');
  t.is(await images.inspect(tag), undefined);
});
