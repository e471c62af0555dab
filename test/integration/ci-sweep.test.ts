/**
 * A killed `devpipe ci` (SIGKILL: no teardown) leaves its stage container behind, with the
 * credential in `docker inspect`; the next `down` or `ci` of the project sweeps it (labels +
 * liveness of the owner process) and marks the run aborted.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { binPath, runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';
import { tempProject } from '../helpers/tmp.js';

const { test, docker } = await dockerTest();
const containers = new DockerContainerRunner(docker);
const images = new DockerImageStore(docker);
const credential = `killed-ci-credential-${process.pid}`;
let dir = '';

test.before(async () => {
  dir = await tempProject(
    {
      '.pipeline/blubber.yaml': 'version: v4\nbase: debian:bookworm-slim\nlives: {in: /srv/app}\nvariants:\n  sleeper:\n    entrypoint: [sh, -c, \'echo "started"; sleep 120\']\n  quick:\n    entrypoint: [sh, -c, \'echo quick\']\n',
      '.pipeline/config.yaml': 'pipelines:\n  slow:\n    blubberfile: blubber.yaml\n    stages:\n      - name: sleeper\n        build: sleeper\n        run:\n          credentials: [{id: tok, name: TOK}]\n  quick:\n    blubberfile: blubber.yaml\n    stages:\n      - name: quick\n        build: quick\n        run: true\n',
    },
    'devpipe-cisweep-',
  );
});

test.after.always(async () => {
  const project = path.basename(dir);
  for (const c of await containers.list({ 'devpipe.project': project })) await containers.remove(c.id);
  for (const image of await images.list({ 'devpipe.project': project })) await images.remove(image.id, { force: true }).catch(() => undefined);
});

async function killMidRun(): Promise<string> {
  const project = path.basename(dir);
  const child = execa('node', [binPath, '-C', dir, 'ci', 'slow'], { reject: false, env: { ...process.env, CI: 'true', DEVPIPE_SECRET_TOK: credential } });
  const deadline = Date.now() + 120_000;
  let running: { id: string; labels: Record<string, string> } | undefined;
  while (!running && Date.now() < deadline) {
    running = (await containers.list({ 'devpipe.project': project })).find((c) => c.state === 'running');
    if (!running) await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGKILL');
  await child;
  if (!running) throw new Error('the stage container never ran');
  return running.labels['devpipe.run'] ?? '';
}

test.serial('down sweeps the containers of a killed ci run and marks it aborted', async (t) => {
  const run = await killMidRun();
  const project = path.basename(dir);
  const left = await containers.list({ 'devpipe.project': project, 'devpipe.run': run });
  t.is(left.length, 1, 'SIGKILL: no teardown ran');
  const inspect = await docker.getContainer(left[0]!.id).inspect();
  t.true(inspect.Config.Env.includes(`TOK=${credential}`), 'the credential is visible in docker inspect while it lives');
  t.regex(left[0]!.labels['devpipe.owner-pid'] ?? '', /^\d+$/);
  const record = JSON.parse(await readFile(path.join(dir, '.devpipe/runs', run, 'run.json'), 'utf8')) as { status: string };
  t.is(record.status, 'running');
  const down = await runCli(['-C', dir, 'down']);
  t.is(down.exitCode, 0, down.stderr);
  t.regex(down.stderr, new RegExp(`swept 1 container\\(s\\) of 1 run\\(s\\) whose devpipe process is gone \\(${run}\\)`));
  t.is((await containers.list({ 'devpipe.project': project, 'devpipe.run': run })).length, 0);
  t.is((JSON.parse(await readFile(path.join(dir, '.devpipe/runs', run, 'run.json'), 'utf8')) as { status: string }).status, 'aborted');
  t.false(`${down.stdout}${down.stderr}`.includes(credential));
});

test.serial('the next ci sweeps them too, before it runs', async (t) => {
  const run = await killMidRun();
  const project = path.basename(dir);
  const next = await runCli(['-C', dir, 'ci', 'quick']);
  t.is(next.exitCode, 0, next.stderr);
  t.regex(next.stderr, /swept 1 container/);
  t.is((await containers.list({ 'devpipe.project': project, 'devpipe.run': run })).length, 0);
  t.is((JSON.parse(await readFile(path.join(dir, '.devpipe/runs', run, 'run.json'), 'utf8')) as { status: string }).status, 'aborted');
});
