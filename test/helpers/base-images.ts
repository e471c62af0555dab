/**
 * Local stand-ins for the base images real service repositories name (no registry here): a
 * Node image made of this machine's own `node` and `npm` over debian:bookworm-slim (seconds,
 * where Debian's nodejs + npm packages take minutes), built once and kept like the shared bases.
 * Tests point a repository's base at it with the settings file's `images:` aliases.
 */
import { cp, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type Docker from 'dockerode';
import { pack } from 'tar-fs';

export const NODE_BASE = 'docker-registry.wikimedia.org/nodejs20-slim';

/** `devpipe-test/nodejs:host-<version>`, built from the host's node and npm when missing. */
export async function nodeStandIn(docker: Docker): Promise<string> {
  const version = process.version.slice(1);
  const ref = `devpipe-test/nodejs:host-${version}`;
  if (await docker.getImage(ref).inspect().then(() => true, () => false)) return ref;
  const dir = await mkdtemp(path.join(tmpdir(), 'node-standin-'));
  try {
    const node = await realpath(process.execPath);
    const npmCli = await realpath((await execa('sh', ['-c', 'command -v npm'])).stdout.trim());
    const npmDir = path.resolve(path.dirname(npmCli), '..');
    await cp(node, path.join(dir, 'node'));
    await cp(npmDir, path.join(dir, 'npm'), { recursive: true });
    await writeFile(
      path.join(dir, 'Dockerfile'),
      ['FROM debian:bookworm-slim', 'COPY node /usr/bin/node', 'COPY npm /usr/lib/node_modules/npm', 'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/bin/npm && node --version && npm --version', `LABEL devpipe.test=node-stand-in`, ''].join('\n'),
    );
    return await buildTar(docker, pack(dir) as unknown as NodeJS.ReadableStream, ref);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A settings file mapping `aliases` (image → local image), for DEVPIPE_SETTINGS. */
export async function settingsFile(aliases: Record<string, string>, extra = ''): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devpipe-settings-'));
  const file = path.join(dir, 'settings.yaml');
  await writeFile(file, `images:\n${Object.entries(aliases).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n${extra}`);
  return file;
}

/** Builds a tar context with the Engine API (classic builder) as `ref`; rejects with the build's own error. */
export async function buildTar(docker: Docker, tar: NodeJS.ReadableStream, ref: string, labels: Record<string, string> = {}): Promise<string> {
  const stream = await docker.buildImage(tar, { t: ref, rm: true, forcerm: true, labels });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, output: { error?: string }[]) => {
      const failed = output?.find((o) => o.error);
      if (error || failed) reject(error ?? new Error(failed?.error));
      else resolve();
    });
  });
  return ref;
}
