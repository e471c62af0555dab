/**
 * The same demo through Compose v1 (`docker-compose` 1.29): a PATH holding only docker-compose
 * makes devpipe pick v1, and the rendered file (secrets, healthchecks, depends_on conditions,
 * init, env files, bind mounts) must work there too.
 */
import { mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { DockerImageStore } from '../../src/docker/images.js';
import { runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { ensureBusybox, freePort, leftovers, stagingCopy } from './stack-support.js';

const { test, docker } = await dockerTest();
const project = `v1-it${process.pid}`;
let dir = '';
let env: NodeJS.ProcessEnv = {};

test.before(async () => {
  await ensureBusybox(docker);
  dir = await stagingCopy(project, await freePort());
  const bin = await mkdtemp(path.join(tmpdir(), 'devpipe-v1bin-'));
  const v1 = (await execa('bash', ['-c', 'command -v docker-compose'], { reject: false })).stdout.trim();
  if (v1) await symlink(v1, path.join(bin, 'docker-compose'));
  env = { PATH: bin };
});

test.after.always(async () => {
  if (dir) await runCli(['-C', dir, 'down', '--volumes'], { env });
  const images = new DockerImageStore(docker);
  for (const image of await images.list({ 'devpipe.project': project })) await images.remove(image.id, { force: true });
});

test.serial('up → e2e → down with docker-compose v1', async (t) => {
  const up = await runCli(['-C', dir, 'up'], { env });
  if (/Docker Compose is not installed/.test(up.stderr)) {
    t.log('docker-compose (v1) is not installed here: scripts/provision-debian.sh installs it');
    t.is(up.exitCode, 3);
    return;
  }
  t.is(up.exitCode, 0, up.stderr);
  t.regex(up.stderr, /docker-compose 1\.\d+\.\d+ \(Compose v1\)/);
  const e2e = await runCli(['-C', dir, 'e2e'], { env });
  t.is(e2e.exitCode, 0, e2e.stderr);
  t.regex(e2e.stdout, /e2e passed/);
  const down = await runCli(['-C', dir, 'down'], { env });
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(await leftovers(docker, project), []);
});
