/** DockerContainerCopier: `docker cp` semantics for PipelineLib's `copy` step, on the real engine. */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DockerContainerCopier } from '../../src/docker/container-copy.js';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { DevpipeError } from '../../src/errors.js';
import { dockerTest } from '../helpers/docker.js';
import { tempProject } from '../helpers/tmp.js';

const { test, docker } = await dockerTest();
const containers = new DockerContainerRunner(docker);
const copier = new DockerContainerCopier(docker);
const labels = { 'devpipe.project': 'ci-copy-test', 'devpipe.run': `t${process.pid}` };

test.after.always(async () => {
  for (const c of await containers.list(labels)) await containers.remove(c.id);
});

test('files, directories, directory contents, into new and existing destinations', async (t) => {
  const name = `devpipe-copy-${process.pid}`;
  const ran = await containers.run({ image: 'debian:bookworm-slim', name, labels, command: ['sh', '-c', 'mkdir -p /d/sub && echo a > /d/f && echo b > /d/sub/g'] });
  t.is(ran.exitCode, 0);
  const dir = await tempProject({});
  await copier.copy(name, '/d/f', path.join(dir, 'new.txt'));
  t.is(await readFile(path.join(dir, 'new.txt'), 'utf8'), 'a\n');
  await copier.copy(name, '/d', path.join(dir, 'x/y'));
  t.is(await readFile(path.join(dir, 'x/y/sub/g'), 'utf8'), 'b\n');
  await mkdir(path.join(dir, 'exist'));
  await copier.copy(name, '/d', path.join(dir, 'exist'));
  t.is(await readFile(path.join(dir, 'exist/d/f'), 'utf8'), 'a\n');
  await copier.copy(name, '/d/.', path.join(dir, 'contents'));
  t.is(await readFile(path.join(dir, 'contents/sub/g'), 'utf8'), 'b\n');
  const error = await t.throwsAsync(copier.copy(name, '/nope', path.join(dir, 'n')), { instanceOf: DevpipeError });
  t.regex(error!.message, /copy: \/nope does not exist in container devpipe-copy-/);
});
