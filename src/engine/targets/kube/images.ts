/**
 * Building a stack's images for the cluster and getting them in without a registry: inside
 * minikube's Docker daemon (docker-env) when its runtime is docker, else here + `minikube image
 * load`; pinned images this machine has are loaded too when the cluster lacks them.
 */
import type { BuiltImage } from '../../build.js';
import { chooseDelivery, loadImages, type Delivery } from '../../kube/delivery.js';
import { buildStackImages, type StackBuild } from '../../stack/up.js';
import type { ImageStore } from '../../../ports.js';
import type { StackConfig } from '../../../spec/stack/index.js';
import type { StackSecrets } from '../../project/secrets.js';
import type { ImageSide, KubePorts, KubeSetup } from './target.js';

interface ImagePorts {
  delivery: Delivery | undefined;
  docker: ImageSide;
  hostImages: ImageStore | undefined;
}

async function imagePorts(ports: KubePorts, setup: KubeSetup, needed: boolean): Promise<ImagePorts> {
  const host = await ports.hostImages();
  const hostEngine = await host.engine.info().then(
    () => true,
    () => false,
  );
  if (!needed) return { delivery: undefined, docker: host, hostImages: hostEngine ? host.images : undefined };
  const runtime = setup.minikubeProfile ? await setup.minikube.runtime() : undefined;
  const delivery = chooseDelivery({ context: setup.target.context, minikubeProfile: setup.minikubeProfile, runtime, hostEngine });
  if (delivery.kind === 'docker-env') {
    const inside = await ports.clusterImages(await setup.minikube.dockerEnv());
    await inside.engine.info();
    return { delivery, docker: inside, hostImages: hostEngine ? host.images : undefined };
  }
  await host.engine.info();
  return { delivery, docker: host, hostImages: host.images };
}

export async function buildAndDeliver(
  ports: KubePorts,
  setup: KubeSetup,
  config: StackConfig,
  secrets: Pick<StackSecrets, 'bus' | 'resolved'>,
  builds: readonly StackBuild[],
  pinned: readonly string[],
  signal: AbortSignal | undefined,
  options: { scan?: boolean } = {},
): Promise<{ built: Map<string, BuiltImage>; delivery: Delivery | undefined }> {
  const images = await imagePorts(ports, setup, builds.length > 0 || (pinned.length > 0 && setup.minikubeProfile !== undefined));
  const built = await buildStackImages({ builder: images.docker.builder, images: images.docker.images, scanner: images.docker.scanner, files: ports.files }, secrets.bus, builds, secrets.resolved, {
    project: config.project,
    revision: await ports.revision(),
    fresh: config.settings.freshBuilds,
    concurrency: config.settings.buildConcurrency,
    signal,
    ...(options.scan === false ? { scan: false } : {}),
  });
  if (setup.minikubeProfile && images.delivery) {
    const toLoad = images.delivery.kind === 'image-load' ? [...built.values()].map((b) => b.contentTag) : [];
    for (const ref of pinned) {
      const inCluster = images.delivery.kind === 'docker-env' ? await images.docker.images.inspect(ref).catch(() => undefined) : undefined;
      const here = await images.hostImages?.inspect(ref).catch(() => undefined);
      if (!inCluster && here) toLoad.push(ref);
    }
    if (toLoad.length > 0) await loadImages(setup.minikube, secrets.bus, toLoad, signal);
  }
  return { built, delivery: images.delivery };
}
