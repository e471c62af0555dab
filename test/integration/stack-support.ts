/** Shared by the stack integration tests: local images without a registry, project copies, cleanup checks. */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { execa } from 'execa';
import type Docker from 'dockerode';
import { repoRoot } from '../helpers/cli.js';

/** busybox:stable from the host's /bin/busybox, as scripts/provision-debian.sh does (idempotent). */
export async function ensureBusybox(docker: Docker): Promise<void> {
  try {
    await docker.getImage('busybox:stable').inspect();
    return;
  } catch {
    // import below
  }
  await execa('bash', ['-c', `set -e; b=$(mktemp -d); mkdir -p $b/bin $b/tmp; cp /bin/busybox $b/bin/busybox; ln -s busybox $b/bin/sh; tar -C $b -c . | docker import -c 'ENTRYPOINT ["/bin/busybox"]' -c 'CMD ["sh"]' - busybox:stable >/dev/null; rm -rf $b`]);
}

/** A free TCP port on this machine. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Occupies a port (as another program would). */
export async function occupy(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '0.0.0.0', resolve));
  return server;
}

/** A copy of fixtures/staging-copy with its own stack name and gateway port (tests run beside a demo). */
export async function stagingCopy(project: string, port: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devpipe-staging-'));
  await cp(path.join(repoRoot, 'fixtures/staging-copy'), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.devpipe`) });
  const file = path.join(dir, '.pipeline/devpipe.yaml');
  const text = (await readFile(file, 'utf8')).replace('project: staging-copy', `project: ${project}`).replace('"18080:8080"', `"${port}:8080"`);
  await writeFile(file, text);
  return dir;
}

/** Everything still labelled for a project: containers, networks, volumes. */
export async function leftovers(docker: Docker, project: string): Promise<string[]> {
  const filters = JSON.stringify({ label: [`devpipe.project=${project}`] });
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  return [...containers.map((c) => `container ${c.Names[0]}`), ...networks.map((n) => `network ${n.Name}`), ...volumes.map((v) => `volume ${v.Name}`)];
}
