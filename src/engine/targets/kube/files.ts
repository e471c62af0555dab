/**
 * What the kube renderer needs from this machine's disk: the files of project paths that services
 * bind-mount (they become ConfigMaps) and a chart's own values.yaml (to tell `main_app` charts
 * from `app` ones). Read here, in the CLI layer; the renderer stays pure.
 */
import path from 'node:path';
import { parse } from 'yaml';
import type { ChartConfig } from '../../kube/chart.js';
import type { BoundFile } from '../../kube/manifests.js';
import type { ProjectReader } from '../../project/workspace.js';
import { DevpipeError } from '../../../errors.js';
import type { StackConfig } from '../../../spec/stack/index.js';

/** ConfigMaps hold at most 1 MiB; keep room for metadata. */
export const MAX_BOUND_BYTES = 900 * 1024;

async function walk(reader: ProjectReader, root: string, relative = ''): Promise<{ rel: string; abs: string }[]> {
  const dir = path.join(root, relative);
  const out: { rel: string; abs: string }[] = [];
  for (const entry of await reader.list(dir)) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.kind === 'directory') out.push(...(await walk(reader, root, rel)));
    else if (entry.kind === 'file') out.push({ rel, abs: path.join(root, rel) });
  }
  return out;
}

export async function readBoundFiles(reader: ProjectReader, config: StackConfig, skip: ReadonlySet<string> = new Set()): Promise<Map<string, Map<string, BoundFile[]>>> {
  const out = new Map<string, Map<string, BoundFile[]>>();
  for (const service of config.services) {
    if (skip.has(service.name)) continue;
    for (const volume of service.volumes) {
      if (volume.kind !== 'bind') continue;
      const absolute = path.resolve(reader.root, volume.host);
      const info = await reader.kind(absolute);
      if (info === undefined) {
        throw new DevpipeError('spec', `services.${service.name}.volumes: ${volume.host} does not exist in ${reader.root}`, { hint: 'bind-mounted paths are relative to the project directory' });
      }
      const files = info === 'directory' ? await walk(reader, absolute) : [{ rel: path.basename(absolute), abs: absolute }];
      let total = 0;
      const bound: BoundFile[] = [];
      for (const file of files) {
        const read = await reader.bytes(file.abs);
        if (!read) continue;
        const bytes = Buffer.from(read.bytes);
        total += bytes.length;
        const text = bytes.toString('utf8');
        const binary = bytes.includes(0) || Buffer.from(text, 'utf8').length !== bytes.length;
        bound.push({ path: file.rel, content: binary ? bytes.toString('base64') : text, binary, mode: read.mode });
      }
      if (total > MAX_BOUND_BYTES) {
        throw new DevpipeError('spec', `services.${service.name}.volumes: ${volume.host} holds ${Math.round(total / 1024)} KiB, too much to copy into the cluster as a ConfigMap (at most ${MAX_BOUND_BYTES / 1024} KiB)`, {
          hint: 'on Kubernetes bind-mounted project paths are copied into a ConfigMap; bake large content into the image (a Blubber `copies`) instead',
        });
      }
      const perService = out.get(service.name) ?? new Map<string, BoundFile[]>();
      perService.set(volume.host, bound);
      out.set(service.name, perService);
    }
  }
  return out;
}

/** The chart's values.yaml (parsed), checking the directory is a chart. */
export async function readChartValues(reader: ProjectReader, service: string, chart: ChartConfig): Promise<unknown> {
  const dir = path.resolve(reader.root, chart.path);
  if ((await reader.kind(path.join(dir, 'Chart.yaml'))) === undefined) {
    throw new DevpipeError('spec', `services.${service}.chart.path: ${chart.path} is not a Helm chart (no Chart.yaml in ${dir})`, {
      hint: 'point it at a chart directory, e.g. ../deployment-charts/charts/<name>',
    });
  }
  for (const file of chart.values) {
    if ((await reader.kind(path.resolve(reader.root, file))) === undefined) {
      throw new DevpipeError('spec', `services.${service}.chart.values: ${file} does not exist`, { hint: 'values files are relative to the project directory' });
    }
  }
  try {
    return parse((await reader.read(path.join(dir, 'values.yaml'))) ?? '') ?? {};
  } catch {
    return {};
  }
}
