/**
 * DockerContainerReplacer: the dev loop's fast redeploy. A running container is replaced by one
 * from a new image with the same name, host config, networks and aliases, and labels — what
 * `docker compose up` would create — through the Engine API: no compose process, no stop
 * timeout (the old container is killed). Settings the old container had from its *image*
 * (entrypoint, command, working dir, user, image env and labels) come from the new image;
 * settings the stack gave it are kept.
 */
import type Docker from 'dockerode';
import type { ContainerReplacer } from '../ports.js';
import { dockerError } from './problems.js';

type ImageConfig = { Env?: string[]; Labels?: Record<string, string>; Entrypoint?: string[] | string | null; Cmd?: string[] | string | null; WorkingDir?: string; User?: string; ExposedPorts?: Record<string, object> };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const key = (entry: string) => entry.slice(0, entry.indexOf('=') >>> 0);

/** The container's env: the new image's, with every entry the stack set (not from the old image) over it. */
export function replacedEnv(container: readonly string[], oldImage: readonly string[], newImage: readonly string[]): string[] {
  const fromOld = new Set(oldImage);
  const own = container.filter((entry) => !fromOld.has(entry));
  const ownKeys = new Set(own.map(key));
  return [...newImage.filter((entry) => !ownKeys.has(key(entry))), ...own];
}

/** Labels the stack sets on containers: always the container's own, even when an image has them too. */
const stackLabel = /^(com\.docker\.compose\.|devpipe\.(project|service|role|managed-by|run)$)/;

export function replacedLabels(container: Record<string, string>, oldImage: Record<string, string>, newImage: Record<string, string>): Record<string, string> {
  const own = Object.fromEntries(Object.entries(container).filter(([k, v]) => oldImage[k] !== v || stackLabel.test(k)));
  return { ...newImage, ...own };
}

export class DockerContainerReplacer implements ContainerReplacer {
  constructor(private readonly docker: Docker) {}

  async replace(containerId: string, image: string): Promise<string> {
    try {
      const old = await this.docker.getContainer(containerId).inspect();
      const [oldImage, newImage] = await Promise.all([this.docker.getImage(old.Image).inspect(), this.docker.getImage(image).inspect()]);
      const oc = oldImage.Config as ImageConfig;
      const nc = newImage.Config as ImageConfig;
      const cc = old.Config as unknown as ImageConfig & Record<string, unknown>;
      const pick = <K extends keyof ImageConfig>(k: K) => (same(cc[k], oc[k]) ? nc[k] : cc[k]);
      const labels = replacedLabels(cc.Labels ?? {}, oc.Labels ?? {}, nc.Labels ?? {});
      if (labels['com.docker.compose.image']) labels['com.docker.compose.image'] = newImage.Id;
      const networks = Object.entries(old.NetworkSettings.Networks ?? {});
      const endpoint = ([, settings]: [string, Docker.NetworkInfo]) => ({ Aliases: (settings.Aliases ?? []).filter((alias: string) => !old.Id.startsWith(alias)) });
      const first = networks[0];
      await this.docker.getContainer(containerId).remove({ force: true });
      const created = await this.docker.createContainer({
        ...(old.Config as unknown as Docker.ContainerCreateOptions),
        name: old.Name.replace(/^\//, ''),
        Image: image,
        Env: replacedEnv(cc.Env ?? [], oc.Env ?? [], nc.Env ?? []),
        Labels: labels,
        Entrypoint: pick('Entrypoint') as string[] | undefined,
        Cmd: pick('Cmd') as string[] | undefined,
        WorkingDir: pick('WorkingDir') as string | undefined,
        User: pick('User') as string | undefined,
        ExposedPorts: { ...nc.ExposedPorts, ...cc.ExposedPorts },
        Hostname: undefined,
        HostConfig: old.HostConfig as Docker.HostConfig,
        NetworkingConfig: first ? { EndpointsConfig: { [first[0]]: endpoint(first) } } : undefined,
      });
      for (const network of networks.slice(1)) await this.docker.getNetwork(network[0]).connect({ Container: created.id, EndpointConfig: endpoint(network) });
      await created.start();
      return created.id;
    } catch (error) {
      throw dockerError(error, `replacing container ${containerId.slice(0, 12)}`);
    }
  }
}
