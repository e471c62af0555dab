/**
 * DockerContainerReplacer: the dev loop's fast redeploy. A running container is replaced by one
 * from a new image with the same name, host config, networks and aliases, and labels — what
 * `docker compose up` would create — through the Engine API: no compose process, no stop
 * timeout (the old container is killed). Settings the old container had from its *image*
 * (entrypoint, command, working dir, user, image env and labels) come from the new image;
 * settings the stack gave it are kept.
 *
 * The new container is created before the old one goes (a failed create leaves the old one
 * running), and a network the old container is alone on gets an anchor first (see
 * network-anchor.ts), so clients are answered as soon as the new one starts.
 */
import type Docker from 'dockerode';
import type { ContainerReplacer } from '../ports.js';
import { DockerNetworkAnchor } from './network-anchor.js';
import { dockerError } from './problems.js';
import { LABEL_PROJECT } from '../engine/labels.js';

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

interface Prepared {
  container: Docker.ContainerInspectInfo;
  image: Docker.ImageInspectInfo;
}

export class DockerContainerReplacer implements ContainerReplacer {
  /** Container ID → what prepare read, and when (reused for a minute: an anchor may go meanwhile). */
  readonly #prepared = new Map<string, { at: number; read: Promise<Prepared | undefined> }>();

  /** `anchor`: shared with the stack's pods, so the idle image is looked up once. */
  constructor(
    private readonly docker: Docker,
    private readonly anchor: DockerNetworkAnchor = new DockerNetworkAnchor(docker),
  ) {}

  /**
   * Readies later replacements (called while the new image builds): reads the containers and
   * their images, and gives every bridge network one of them is alone on an anchor. Best
   * effort: a replacement works without it, only clients may then wait ~1 s after it.
   */
  prepare(containerIds: readonly string[]): Promise<void> {
    return Promise.all(containerIds.map((id) => this.#prepare(id))).then(() => undefined);
  }

  #prepare(containerId: string): Promise<Prepared | undefined> {
    const now = Date.now();
    for (const [id, entry] of this.#prepared) if (now - entry.at > 60_000) this.#prepared.delete(id);
    let prepared = this.#prepared.get(containerId);
    if (!prepared) {
      prepared = { at: now, read: this.#read(containerId).catch(() => undefined) };
      this.#prepared.set(containerId, prepared);
    }
    return prepared.read;
  }

  async #read(containerId: string): Promise<Prepared> {
    const container = await this.docker.getContainer(containerId).inspect();
    const image = this.docker.getImage(container.Image).inspect();
    const project = container.Config.Labels?.[LABEL_PROJECT];
    for (const name of Object.keys(container.NetworkSettings.Networks ?? {})) {
      const network = await this.docker.getNetwork(name).inspect();
      if (network.Driver !== 'bridge') continue;
      const others = Object.keys(network.Containers ?? {}).filter((id) => id !== container.Id);
      if (others.length > 0) continue;
      await this.anchor.anchor(name, project ? { [LABEL_PROJECT]: project } : {}).catch(() => false);
    }
    return { container, image: await image };
  }

  async replace(containerId: string, image: string): Promise<string> {
    try {
      const [prepared, newImage] = await Promise.all([this.#prepare(containerId), this.docker.getImage(image).inspect()]);
      const old = prepared?.container ?? (await this.docker.getContainer(containerId).inspect());
      const oldImage = prepared?.image ?? (await this.docker.getImage(old.Image).inspect());
      const oc = oldImage.Config as ImageConfig;
      const nc = newImage.Config as ImageConfig;
      const cc = old.Config as unknown as ImageConfig & Record<string, unknown>;
      const pick = <K extends keyof ImageConfig>(k: K) => (same(cc[k], oc[k]) ? nc[k] : cc[k]);
      const labels = replacedLabels(cc.Labels ?? {}, oc.Labels ?? {}, nc.Labels ?? {});
      if (labels['com.docker.compose.image']) labels['com.docker.compose.image'] = newImage.Id;
      const networks = Object.entries(old.NetworkSettings.Networks ?? {});
      const endpoint = ([, settings]: [string, Docker.NetworkInfo]) => ({ Aliases: (settings.Aliases ?? []).filter((alias: string) => !old.Id.startsWith(alias)) });
      const first = networks[0];
      const name = old.Name.replace(/^\//, '');
      // In a pod (network mode `container:…`) the network, hostname and ports are the pod's.
      const inPod = (old.HostConfig.NetworkMode ?? '').startsWith('container:');
      const created = await this.docker.createContainer({
        ...(old.Config as unknown as Docker.ContainerCreateOptions),
        name: `${name}-devpipe-next-${Date.now().toString(36)}`,
        Image: image,
        Env: replacedEnv(cc.Env ?? [], oc.Env ?? [], nc.Env ?? []),
        Labels: labels,
        Entrypoint: pick('Entrypoint') as string[] | undefined,
        Cmd: pick('Cmd') as string[] | undefined,
        WorkingDir: pick('WorkingDir') as string | undefined,
        User: pick('User') as string | undefined,
        ExposedPorts: inPod ? undefined : { ...nc.ExposedPorts, ...cc.ExposedPorts },
        Hostname: undefined,
        Domainname: undefined,
        MacAddress: undefined,
        HostConfig: old.HostConfig as Docker.HostConfig,
        NetworkingConfig: first && !inPod ? { EndpointsConfig: { [first[0]]: endpoint(first) } } : undefined,
      });
      try {
        for (const network of inPod ? [] : networks.slice(1)) await this.docker.getNetwork(network[0]).connect({ Container: created.id, EndpointConfig: endpoint(network) });
        await this.docker.getContainer(containerId).remove({ force: true });
        await created.start();
      } catch (error) {
        await created.remove({ force: true }).catch(() => undefined);
        throw error;
      } finally {
        this.#prepared.delete(containerId);
      }
      // The service runs already; a name left temporary is cosmetic (compose finds it by labels).
      await created.rename({ name }).catch(() => undefined);
      return created.id;
    } catch (error) {
      throw dockerError(error, `replacing container ${containerId.slice(0, 12)}`);
    }
  }
}
