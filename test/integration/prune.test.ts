/**
 * `devpipe prune` on the real engine: a project with three builds of one variant (two old
 * content-addressed tags), a stopped devpipe container and a dangling build image of its own;
 * another project with old tags of its own. `--dry-run` lists and removes nothing; the real run
 * removes exactly the project's old tags, stopped containers and dangling images, says how much
 * space that freed, and leaves `build`'s moving tag, the newest tag and the other project alone.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pack } from 'tar-stream';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';

const { test, docker } = await dockerTest();
const containers = new DockerContainerRunner(docker);
const images = new DockerImageStore(docker);
const projects: string[] = [];

async function project(name: string): Promise<string> {
  const parent = await mkdtemp(path.join(tmpdir(), 'prune-'));
  const dir = path.join(parent, `${name}-${process.pid}`);
  await mkdir(path.join(dir, '.pipeline'), { recursive: true });
  // A scratch variant holding one file: builds in a second, a new content hash per edit.
  await writeFile(path.join(dir, '.pipeline/blubber.yaml'), 'version: v4\nvariants:\n  app:\n    copies: [local]\n');
  projects.push(path.basename(dir));
  return dir;
}

async function buildVersions(dir: string, count: number): Promise<string[]> {
  const tags: string[] = [];
  for (let i = 1; i <= count; i++) {
    await writeFile(path.join(dir, 'version.txt'), `v${i}\n`);
    const result = await runCli(['--json', '-C', dir, 'build', 'app']);
    if (result.exitCode !== 0) throw new Error(result.stdout + result.stderr);
    const done = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; data?: { images: { contentTag: string }[] } }).find((e) => e.type === 'result');
    tags.push(done?.data?.images[0]?.contentTag ?? '');
    // Image creation times have a resolution of one second: keep the order unambiguous.
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }
  return tags;
}

/** An untagged image labelled as the project's (what an interrupted build leaves). */
async function danglingImage(projectName: string): Promise<string> {
  const tar = pack();
  tar.entry({ name: 'Dockerfile' }, `FROM scratch\nCOPY x /x\nLABEL devpipe.project=${projectName} devpipe.test=dangling\n`);
  tar.entry({ name: 'x' }, `${projectName} ${Date.now()}\n`);
  tar.finalize();
  const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, { rm: true, forcerm: true });
  const output = await new Promise<{ aux?: { ID?: string }; error?: string }[]>((resolve, reject) => docker.modem.followProgress(stream, (error: Error | null, out: { aux?: { ID?: string }; error?: string }[]) => (error ? reject(error) : resolve(out))));
  const failed = output.find((o) => o.error);
  if (failed) throw new Error(failed.error);
  const id = output.find((o) => o.aux?.ID)?.aux?.ID;
  if (!id) throw new Error('no image id');
  return id;
}

const exists = async (ref: string) => (await images.inspect(ref)) !== undefined;

test.after.always(async () => {
  for (const name of projects) {
    for (const c of await containers.list({ 'devpipe.project': name })) await containers.remove(c.id);
    for (const image of (await images.list({ 'devpipe.project': name })).reverse()) await images.remove(image.id, { force: true }).catch(() => undefined);
  }
});

test('prune --dry-run lists and removes nothing; prune removes old tags, stopped containers and dangling images of the project only, and reports the space', async (t) => {
  t.timeout(5 * 60_000);
  const dir = await project('prune-me');
  const name = path.basename(dir);
  const other = await project('prune-other');
  const [old1, old2, newest] = await buildVersions(dir, 3);
  const otherTags = await buildVersions(other, 2);
  const moving = `${name}:app`;
  const dangling = await danglingImage(name);
  const stopped = await containers.run({ image: 'busybox:stable', command: ['true'], labels: { 'devpipe.project': name, 'devpipe.managed-by': 'devpipe' } });
  t.is(stopped.exitCode, 0);
  t.true((await exists(old1!)) && (await exists(old2!)) && (await exists(newest!)) && (await exists(moving)) && (await exists(dangling)));
  t.is((await images.inspect(moving))?.id, (await images.inspect(newest!))?.id, "build's moving tag names the newest");

  const dry = await runCli(['-C', dir, 'prune', '--dry-run']);
  t.is(dry.exitCode, 0, dry.stderr);
  t.true(dry.stdout.includes(`would remove ${old1}`) && dry.stdout.includes(`would remove ${old2}`), dry.stdout);
  t.regex(dry.stdout, new RegExp(`would remove dangling image ${dangling.slice(7, 19)}`));
  t.regex(dry.stdout, /would remove container \S+ \(exited\)/);
  t.regex(dry.stdout, new RegExp(`keeps ${newest} \\(one of the newest 1\\)`));
  t.regex(dry.stdout, /dry run: 1 container\(s\), 2 tag\(s\), 1 dangling image\(s\); up to \d/);
  for (const ref of [old1!, old2!, newest!, moving, dangling]) t.true(await exists(ref), `${ref} is still there after --dry-run`);
  t.is((await containers.list({ 'devpipe.project': name })).length, 1, 'the stopped container is still there after --dry-run');

  const real = await runCli(['-C', dir, 'prune']);
  t.is(real.exitCode, 0, real.stdout + real.stderr);
  t.regex(real.stdout, /removed 1 stopped container\(s\), 2 old tag\(s\) and 1 dangling image\(s\); 3 image\(s\) deleted, [\d.]+ (kB|MB) freed/);
  t.false(await exists(old1!));
  t.false(await exists(old2!));
  t.false(await exists(dangling));
  t.is((await containers.list({ 'devpipe.project': name })).length, 0);
  t.true(await exists(newest!), 'the newest content tag stays');
  t.true(await exists(moving), "build's moving tag stays");
  for (const tag of [...otherTags, `${path.basename(other)}:app`]) t.true(await exists(tag), `the other project's ${tag} stays`);

  const again = await runCli(['-C', dir, 'prune']);
  t.regex(again.stdout, /removed 0 stopped container\(s\), 0 old tag\(s\) and 0 dangling image\(s\)/);
});
