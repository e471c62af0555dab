/**
 * Building a stack's images for the cluster and getting them in without a registry: inside
 * minikube's Docker daemon (docker-env) when its runtime is docker, else here + `minikube image
 * load`; pinned images this machine has are loaded too when the cluster lacks them.
 */
import type { BuiltImage } from '../../engine/build.js';
import { chooseDelivery, loadImages, type Delivery } from '../../engine/kube/delivery.js';
import { buildStackImages, type StackBuild } from '../../engine/stack/up.js';
import type { ImageScanner, ImageStore } from '../../ports.js';
import type { StackConfig } from '../../spec/stack/index.js';
import type { Context, DockerAdapters } from '../context.js';
import { sourceRevision } from '../git.js';
import type { StackSecrets } from '../stack.js';
import type { KubeSetup } from './target.js';

interface ImagePorts {
  delivery: Delivery | undefined;
  docker: DockerAdapters;
  scanner: ImageScanner;
  hostImages: ImageStore | undefined;
}

async function imagePorts(ctx: Context, setup: KubeSetup, needed: boolean): Promise<ImagePorts> {
  const host = await ctx.docker();
  const hostEngine = await host.engine.info().then(
    () => true,
    () => false,
  );
  if (!needed) return { delivery: undefined, docker: host, scanner: await ctx.imageScanner(), hostImages: hostEngine ? host.images : undefined };
  const runtime = setup.minikubeProfile ? await setup.minikube.runtime() : undefined;
  const delivery = chooseDelivery({ context: setup.target.context, minikubeProfile: setup.minikubeProfile, runtime, hostEngine });
  if (delivery.kind === 'docker-env') {
    const inside = await ctx.dockerAt(await setup.minikube.dockerEnv());
    await inside.engine.info();
    return { delivery, docker: inside, scanner: inside.scanner, hostImages: hostEngine ? host.images : undefined };
  }
  await host.engine.info();
  return { delivery, docker: host, scanner: await ctx.imageScanner(), hostImages: host.images };
}

export async function buildAndDeliver(
  ctx: Context,
  setup: KubeSetup,
  config: StackConfig,
  secrets: StackSecrets,
  builds: readonly StackBuild[],
  pinned: readonly string[],
  signal: AbortSignal | undefined,
): Promise<{ built: Map<string, BuiltImage>; delivery: Delivery | undefined }> {
  const ports = await imagePorts(ctx, setup, builds.length > 0 || (pinned.length > 0 && setup.minikubeProfile !== undefined));
  await ctx.reporter();
  const files = await ctx.projectFiles();
  const built = await buildStackImages({ builder: ports.docker.builder, images: ports.docker.images, scanner: ports.scanner, files }, secrets.bus, builds, secrets.resolved, {
    project: config.project,
    revision: await sourceRevision(await ctx.process(), ctx.projectDir),
    fresh: config.settings.freshBuilds,
    concurrency: config.settings.buildConcurrency,
    signal,
  });
  if (setup.minikubeProfile && ports.delivery) {
    const toLoad = ports.delivery.kind === 'image-load' ? [...built.values()].map((b) => b.contentTag) : [];
    for (const ref of pinned) {
      const inCluster = ports.delivery.kind === 'docker-env' ? await ports.docker.images.inspect(ref).catch(() => undefined) : undefined;
      const here = await ports.hostImages?.inspect(ref).catch(() => undefined);
      if (!inCluster && here) toLoad.push(ref);
    }
    if (toLoad.length > 0) await loadImages(setup.minikube, secrets.bus, toLoad, signal);
  }
  return { built, delivery: ports.delivery };
}
