/**
 * The dev loop's container replacement on the real engine: a service alone on its network is
 * replaced with an anchor keeping the network up, and answers as soon as the new container
 * starts, even while a client polls through the swap (without the anchor such a client waits
 * ~1 s: docs/dev.md).
 */
import { execFileSync } from 'node:child_process';
import { DockerContainerReplacer } from '../../src/docker/container-replace.js';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { DockerNetworkAnchor } from '../../src/docker/network-anchor.js';
import { POD_IMAGE } from '../../src/ports.js';
import { dockerTest } from '../helpers/docker.js';
import { freePort } from '../helpers/dev-session.js';

const { test, docker } = await dockerTest();
const project = `replace-test-${process.pid}`;
const network = `devpipe-${project}`;
const labels = { 'devpipe.project': project, 'devpipe.service': 'web' };

test.after.always(async () => {
  const containers = new DockerContainerRunner(docker);
  for (const c of await containers.list({ 'devpipe.project': project })) await containers.remove(c.id);
  await docker.getNetwork(network).remove().catch(() => undefined);
  for (const tag of ['v1', 'v2']) await new DockerImageStore(docker).remove(`${project}:${tag}`, { force: true }).catch(() => undefined);
});

/** busybox httpd serving one page with `text`, as an image. */
function serving(text: string): string {
  const tag = `${project}:${text}`;
  execFileSync('docker', ['build', '-q', '-t', tag, '-'], {
    input: `FROM busybox:stable\nRUN mkdir -p /srv/www && echo ${text} > /srv/www/index.html\nENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/srv/www"]\n`,
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return tag;
}

test.serial('a container alone on its network: anchored, replaced, answering at once; labels, name and port kept', async (t) => {
  const [v1, v2] = [serving('v1'), serving('v2')];
  const port = await freePort();
  await docker.createNetwork({ Name: network, Labels: { 'devpipe.project': project } });
  const first = await docker.createContainer({ name: `${project}-web-1`, Image: v1, Labels: labels, ExposedPorts: { '8080/tcp': {} }, HostConfig: { NetworkMode: network, PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } } });
  await first.start();
  const url = `http://127.0.0.1:${port}/index.html`;
  const get = async () => (await fetch(url, { signal: AbortSignal.timeout(50) })).text().catch(() => '');
  let before = '';
  for (let i = 0; i < 100 && !before.includes('v1'); i++) before = await get().catch(() => '');
  t.regex(before, /v1/, 'the first version is served');

  const replacer = new DockerContainerReplacer(docker);
  await replacer.prepare([first.id]);
  const anchor = await docker.getContainer(DockerNetworkAnchor.nameFor(network)).inspect();
  t.true(anchor.State.Running, 'the network got an anchor');
  t.is(anchor.Config.Image, POD_IMAGE);
  t.is(anchor.Config.Labels['devpipe.project'], project);
  t.is(anchor.Config.Labels['devpipe.role'], 'anchor');
  t.deepEqual(Object.keys(anchor.NetworkSettings.Networks), [network]);

  // A client polls through the whole swap.
  let polling = true;
  let servedAt = 0;
  const poller = (async () => {
    while (polling) {
      const body = await get().catch(() => '');
      if (body.includes('v2') && !servedAt) servedAt = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const id = await replacer.replace(first.id, v2);
  const replacedAt = Date.now();
  while (!servedAt && Date.now() - replacedAt < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
  polling = false;
  await poller;
  t.true(servedAt > 0, 'the new version is served');
  t.true(servedAt - replacedAt < 500, `answered ${servedAt - replacedAt} ms after the replacement returned (without the anchor: ~1 s)`);

  const replaced = await docker.getContainer(id).inspect();
  t.is(replaced.Name, `/${project}-web-1`);
  t.is(replaced.Config.Labels['devpipe.service'], 'web');
  t.is(replaced.HostConfig.PortBindings?.['8080/tcp']?.[0]?.HostPort, String(port));
  t.false(await docker.getContainer(first.id).inspect().then(() => true, () => false), 'the old container is gone');
  t.is((await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`devpipe.project=${project}`] }) })).length, 2, 'the service and the anchor, nothing else');

  // Idempotent: another prepare keeps the one anchor (the network has the service and it).
  await replacer.prepare([id]);
  await new DockerNetworkAnchor(docker).anchor(network, { 'devpipe.project': project });
  t.is((await docker.listContainers({ filters: JSON.stringify({ label: ['devpipe.role=anchor', `devpipe.project=${project}`] }) })).length, 1);
});
