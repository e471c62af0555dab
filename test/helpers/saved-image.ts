/**
 * Crafted `docker save` archives for the leak guard's tests, in both layouts: Engine < 25
 * (`<id>/layer.tar`, manifest.json) and Engine 25+ OCI (`blobs/sha256/<hex>`, index.json,
 * oci-layout, manifest.json pointing into blobs), with plain, gzip or zstd layers.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';

export interface LayerFile {
  name: string;
  content?: string;
  /** A symlink to this target instead of a file. */
  linkTo?: string;
}

export function tarOf(files: readonly LayerFile[]): Promise<Buffer> {
  const tar = pack();
  for (const file of files) {
    if (file.linkTo !== undefined) tar.entry({ name: file.name, type: 'symlink', linkname: file.linkTo, mtime: new Date(0) });
    else tar.entry({ name: file.name, mtime: new Date(0) }, file.content ?? '');
  }
  tar.finalize();
  return collect(tar as unknown as Readable);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A valid zstd frame of raw (stored) blocks: what any zstd decoder must accept. */
export function zstdRaw(data: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])]; // magic, no content size, 128 KiB window
  const max = 128 * 1024;
  let offset = 0;
  do {
    const block = data.subarray(offset, offset + max);
    offset += block.length;
    const last = offset >= data.length ? 1 : 0;
    const header = (block.length << 3) | last; // raw block: type 0
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), block);
  } while (offset < data.length);
  return Buffer.concat(parts);
}

export type Compress = 'none' | 'gzip' | 'zstd';

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export interface SavedLayer {
  files?: readonly LayerFile[];
  /** Raw bytes stored as the layer instead of a tar of `files` (an unparseable layer). */
  raw?: Buffer;
  compress?: Compress;
}

export interface Crafted {
  archive: Buffer;
  diffIds: string[];
}

/** A `docker save` archive of an image with these layers (bottom first) and config. */
/** Layer directory names and json files as Engine 20.10's `docker save` writes them. */
export function dockerV1Ids(diffIds: readonly string[]): { ids: string[]; jsons: string[] } {
  const ids: string[] = [];
  const jsons: string[] = [];
  let chain = '';
  const containerConfig = { Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null, WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null };
  diffIds.forEach((diffId, i) => {
    chain = i === 0 ? diffId : `sha256:${sha(`${chain} ${diffId}`)}`;
    const parent = ids[i - 1];
    const created = '1970-01-01T00:00:00Z';
    const fields = `{"container_config":${JSON.stringify(containerConfig)},"created":"${created}","layer_id":"${chain}"${parent ? `,"parent":"sha256:${parent}"` : ''}}`;
    const id = sha(fields);
    ids.push(id);
    jsons.push(JSON.stringify({ id, ...(parent ? { parent } : {}), created, container_config: containerConfig, os: 'linux' }));
  });
  return { ids, jsons };
}

export async function savedImage(layout: 'legacy' | 'oci', layers: readonly SavedLayer[], config: Record<string, unknown> = {}, options: { v1Ids?: 'docker' | 'opaque' } = {}): Promise<Crafted> {
  const tars = await Promise.all(layers.map(async (l) => l.raw ?? (await tarOf(l.files ?? []))));
  const diffIds = tars.map((t) => `sha256:${sha(t)}`);
  const stored = tars.map((t, i) => {
    const how = layers[i]?.raw ? 'none' : (layers[i]?.compress ?? 'none');
    return how === 'gzip' ? gzipSync(t) : how === 'zstd' ? zstdRaw(t) : t;
  });
  const configText = JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, history: [], ...config, rootfs: { type: 'layers', diff_ids: diffIds } });
  const out = pack();
  if (layout === 'legacy') {
    // As Engine < 25 names them (v1.CreateID), unless `v1Ids: 'opaque'`.
    const { ids, jsons } = options.v1Ids === 'opaque' ? { ids: stored.map((_, i) => sha(`layer-${i}-${diffIds[i]}`)), jsons: stored.map(() => '{}') } : dockerV1Ids(diffIds);
    stored.forEach((data, i) => {
      out.entry({ name: `${ids[i]}/`, type: 'directory' });
      out.entry({ name: `${ids[i]}/VERSION` }, '1.0');
      out.entry({ name: `${ids[i]}/json` }, jsons[i]!);
      out.entry({ name: `${ids[i]}/layer.tar` }, data);
    });
    const configName = `${sha(configText)}.json`;
    out.entry({ name: configName }, configText);
    out.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: configName, RepoTags: ['x:latest'], Layers: ids.map((id) => `${id}/layer.tar`) }]));
    out.entry({ name: 'repositories' }, '{}');
  } else {
    const blobs = stored.map((data) => sha(data));
    const configHex = sha(configText);
    const media = (i: number) => `application/vnd.oci.image.layer.v1.tar${layers[i]?.compress === 'gzip' ? '+gzip' : layers[i]?.compress === 'zstd' ? '+zstd' : ''}`;
    const manifestText = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: configText.length },
      layers: stored.map((data, i) => ({ mediaType: media(i), digest: `sha256:${blobs[i]}`, size: data.length })),
    });
    const manifestHex = sha(manifestText);
    out.entry({ name: 'blobs/', type: 'directory' });
    out.entry({ name: 'blobs/sha256/', type: 'directory' });
    stored.forEach((data, i) => out.entry({ name: `blobs/sha256/${blobs[i]}` }, data));
    out.entry({ name: `blobs/sha256/${configHex}` }, configText);
    out.entry({ name: `blobs/sha256/${manifestHex}` }, manifestText);
    out.entry(
      { name: 'index.json' },
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${manifestHex}`, size: manifestText.length }] }),
    );
    out.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: `blobs/sha256/${configHex}`, RepoTags: ['x:latest'], Layers: blobs.map((b) => `blobs/sha256/${b}`) }]));
    out.entry({ name: 'oci-layout' }, '{"imageLayoutVersion":"1.0.0"}');
  }
  out.finalize();
  return { archive: await collect(out as unknown as Readable), diffIds };
}
