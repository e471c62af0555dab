/**
 * The host's trust store in builds, on the real engine: a Node service with real npm dependencies
 * (fixtures/node-service: nodejs + npm from Debian, `npm install` from the registry) builds here,
 * where the registry is only reachable through a TLS-intercepting proxy that containers do not
 * trust — and no layer, no history entry and no image variable holds the bundle or its variables.
 * A canary CA given with --ca-file must reach the build step and no layer.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { extract } from 'tar-stream';
import { DockerContainerRunner } from '../../src/docker/containers.js';
import { DockerImageStore } from '../../src/docker/images.js';
import { NODE_BASE, nodeStandIn, settingsFile } from '../helpers/base-images.js';
import { repoRoot, runCli } from '../helpers/cli.js';
import { dockerTest } from '../helpers/docker.js';

const { test, docker } = await dockerTest();
const images = new DockerImageStore(docker);
const containers = new DockerContainerRunner(docker);
const run = promisify(execFile);
let project = '';
let canaryBody = '';
let settings = '';
let standIn = '';

/** Every layer's files (name → content, small text files only) in the order of the image. */
async function layerTexts(ref: string): Promise<{ names: string[]; texts: string[] }[]> {
  const { pipeline } = await import('node:stream/promises');
  const outer = extract();
  const blobs = new Map<string, Buffer>();
  let manifest: { Layers: string[] }[] = [];
  outer.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      const data = Buffer.concat(chunks);
      if (header.name === 'manifest.json') manifest = JSON.parse(data.toString()) as { Layers: string[] }[];
      else blobs.set(header.name, data);
      next();
    });
  });
  await pipeline(await images.export(ref), outer);
  const layers: { names: string[]; texts: string[] }[] = [];
  for (const name of manifest[0]?.Layers ?? []) {
    const inner = extract();
    const layer = { names: [] as string[], texts: [] as string[] };
    inner.on('entry', (header, stream, next) => {
      layer.names.push(header.name);
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        if ((header.size ?? 0) < 4_000_000) layer.texts.push(Buffer.concat(chunks).toString('latin1'));
        next();
      });
    });
    const { Readable } = await import('node:stream');
    await pipeline(Readable.from([blobs.get(name) ?? Buffer.alloc(0)]), inner);
    layers.push(layer);
  }
  return layers;
}

test.before(async () => {
  project = await mkdtemp(path.join(tmpdir(), 'trust-node-'));
  await cp(path.join(repoRoot, 'fixtures/node-service'), project, { recursive: true });
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=devpipe canary CA', '-keyout', path.join(project, '..', `${path.basename(project)}.key`), '-out', path.join(project, '..', `${path.basename(project)}.pem`)]);
  const pem = await readFile(path.join(project, '..', `${path.basename(project)}.pem`), 'utf8');
  canaryBody = pem.split('\n').slice(1, 4).join('');
  // The fixture names the production Node base; here a local stand-in replaces it (images: alias).
  standIn = await nodeStandIn(docker);
  settings = await settingsFile({ [NODE_BASE]: standIn });
});

test.after.always(async () => {
  if (!project) return;
  for (const image of await images.list({ 'devpipe.project': path.basename(project) })) await images.remove(image.id, { force: true }).catch(() => undefined);
});

test('npm install of real dependencies succeeds through the host trust store; the bundle is in no layer, no history, no variable', async (t) => {
  const caFile = path.join(project, '..', `${path.basename(project)}.pem`);
  const registry = (await run('npm', ['config', 'get', 'registry'])).stdout.trim();
  const result = await runCli(['--json', '-C', project, '--ca-file', caFile, 'build', 'production'], { env: { npm_config_registry: registry, DEVPIPE_HOST_TRUST: 'auto', DEVPIPE_SETTINGS: settings } });
  t.is(result.exitCode, 0, result.stdout + result.stderr);
  const summary = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; text?: string; data?: { images: { contentTag: string }[] } });
  t.true(summary.some((e) => e.type === 'message' && /CA bundle of --ca-file .* \+ the host trust store/.test(e.text ?? '')), 'says which trust the builds use');
  const ref = summary.find((e) => e.type === 'result')?.data?.images[0]?.contentTag ?? '';
  t.truthy(ref);

  // The dependencies are in the image.
  const lines: string[] = [];
  const ran = await containers.run({ image: ref, entrypoint: ['node', '-e', 'console.log(require("ms")(60000), require("escape-html")("<b>"))'], labels: { 'devpipe.project': path.basename(project) }, onOutput: (line) => lines.push(line) });
  await containers.remove(ran.containerId);
  t.is(ran.exitCode, 0);
  t.deepEqual(lines, ['1m &lt;b&gt;']);

  const info = await docker.getImage(ref).inspect();
  const env = (info.Config.Env ?? []).join('\n');
  for (const name of ['SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS', 'REQUESTS_CA_BUNDLE', 'PIP_CERT', 'GIT_SSL_CAINFO', 'npm_config_cafile', 'npm_config_registry']) t.false(env.includes(name), `${name} is not an image variable`);
  const history = (await docker.getImage(ref).history()) as { CreatedBy: string }[];
  const createdBy = history.map((h) => h.CreatedBy).join('\n');
  t.false(/SSL_CERT_FILE|NODE_EXTRA_CA_CERTS|BEGIN CERTIFICATE/.test(createdBy), 'no variable nor bundle in the history');
  t.false(createdBy.includes(registry), 'no registry URL in the history');

  const base = await docker.getImage(standIn).inspect();
  const baseLayers = base.RootFS?.Layers?.length ?? 1;
  const layers = await layerTexts(ref);
  const own = layers.slice(baseLayers);
  t.true(own.length > 0);
  t.false(own.some((l) => l.texts.some((text) => text.includes(canaryBody))), 'the canary CA is in no layer');
  t.false(own.some((l) => l.names.some((n) => /^(\.\/)?mnt\/.+|devpipe-trust|\.devpipe-context/.test(n))), 'no trust file and no mount stub in a layer');
});

test('a --ca-file that is not a PEM bundle: exit 2, nothing built', async (t) => {
  const result = await runCli(['-C', project, '--ca-file', path.join(project, 'package.json'), 'build', 'production'], { env: { DEVPIPE_SETTINGS: settings } });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /--ca-file: .*package\.json is not a readable PEM file/);
});
