/**
 * Getting images into the cluster without a registry:
 *   - minikube with the docker runtime: build against minikube's own Docker daemon
 *     (`minikube docker-env`): the image is there the moment it is built;
 *   - minikube with containerd / cri-o: build on this machine, then `minikube image load`;
 *   - Docker Desktop / Rancher Desktop (dockerd) / OrbStack: the cluster shares this machine's
 *     engine, nothing to do;
 *   - anything else (kind, a shared cluster): no way without a registry: a clear error.
 * Images are referenced by their immutable content tags, so a rebuild always rolls out.
 */
import { DevpipeError } from '../../errors.js';
import type { EventBus } from '../events.js';
import type { MinikubeClient } from './ports.js';

export type Delivery =
  | { kind: 'docker-env'; why: string }
  | { kind: 'image-load'; why: string }
  | { kind: 'shared-engine'; why: string };

export interface DeliveryFacts {
  context: string;
  /** The minikube profile behind the context, when it is one. */
  minikubeProfile?: string | undefined;
  /** minikube's container runtime (`docker`, `containerd`, `cri-o`). */
  runtime?: string | undefined;
  /** A Docker engine is reachable on this machine. */
  hostEngine: boolean;
}

const sharedEngineContexts = /^(docker-desktop|docker-for-desktop|rancher-desktop|orbstack)$/;

export function chooseDelivery(facts: DeliveryFacts): Delivery {
  if (facts.minikubeProfile) {
    if (facts.runtime === 'docker') return { kind: 'docker-env', why: `minikube's runtime is docker: building inside it (minikube -p ${facts.minikubeProfile} docker-env)` };
    if (facts.hostEngine) return { kind: 'image-load', why: `minikube's runtime is ${facts.runtime ?? 'not docker'}: building here, then minikube image load` };
    throw new DevpipeError('environment', `cannot get images into minikube: its runtime is ${facts.runtime ?? 'unknown'} (not docker), and no Docker engine runs on this machine to build with`, {
      hint: 'either start a Docker engine here (`devpipe doctor` says how; then devpipe builds here and uses `minikube image load`), or recreate minikube with the docker runtime: `minikube delete && minikube start --container-runtime=docker`',
    });
  }
  if (sharedEngineContexts.test(facts.context)) {
    if (facts.hostEngine) return { kind: 'shared-engine', why: `${facts.context} runs on this machine's Docker engine` };
    throw new DevpipeError('environment', `${facts.context} shares this machine's Docker engine, which is not reachable`, { hint: 'start Docker Desktop (or Rancher Desktop) and try again' });
  }
  throw new DevpipeError('environment', `devpipe cannot get the images it builds into the context "${facts.context}" without a registry`, {
    hint: /^kind-/.test(facts.context)
      ? `kind needs \`kind load docker-image\`, which devpipe does not run yet; use minikube, or pin every service to a pushed image (\`image:\`)`
      : 'use minikube for stacks with built images, or pin every service to an image the cluster can pull (`image:` in .pipeline/devpipe.yaml)',
  });
}

/** Loads images (built here, or pinned ones this machine has) into minikube, one task each. */
export async function loadImages(minikube: MinikubeClient, bus: EventBus, refs: readonly string[], signal?: AbortSignal): Promise<void> {
  for (const ref of [...new Set(refs)]) {
    const id = `load:${ref}`;
    const started = Date.now();
    bus.emit('task:start', { id, title: `minikube image load ${ref}` });
    try {
      await minikube.imageLoad(ref, { signal, onLine: (line) => bus.emit('task:log', { id, line }) });
      bus.emit('task:end', { id, status: 'ok', durationMs: Date.now() - started });
    } catch (error) {
      bus.emit('task:end', { id, status: 'failed', durationMs: Date.now() - started });
      throw error;
    }
  }
}
