/**
 * The kube adapters as the composition root hands them out: factories pinned at construction
 * (a kubectl for {context, namespace}, a helm for the same, a minikube for a profile), or the
 * Missing* stand-ins when a tool is not on PATH (checked once, lazily).
 */
import type { HelmClient, KubeClient, KubeTarget, MinikubeClient } from '../engine/kube/ports.js';
import type { ProcessRunner } from '../ports.js';
import { HelmCli } from './helm.js';
import { KubectlClient } from './kubectl.js';
import { MinikubeCli } from './minikube.js';
import { MissingHelm, MissingKubectl, MissingMinikube } from './missing.js';
import { PortForwarder } from './port-forward.js';

export interface KubeAdapters {
  present: { kubectl: boolean; helm: boolean; minikube: boolean };
  kubectl(target: KubeTarget): KubeClient;
  helm(target: KubeTarget): HelmClient;
  minikube(profile: string): MinikubeClient;
  portForwarder(kubectl: KubeClient): PortForwarder;
}

export async function createKubeAdapters(proc: ProcessRunner, env?: Record<string, string>): Promise<KubeAdapters> {
  const [kubectl, helm, minikube] = await Promise.all(['kubectl', 'helm', 'minikube'].map(async (tool) => (await proc.which(tool)) !== undefined));
  const present = { kubectl: kubectl === true, helm: helm === true, minikube: minikube === true };
  return {
    present,
    kubectl: (target) => (present.kubectl ? new KubectlClient(proc, target, env) : new MissingKubectl(target)),
    helm: (target) => (present.helm ? new HelmCli(proc, target, env) : new MissingHelm(target)),
    minikube: (profile) => (present.minikube ? new MinikubeCli(proc, profile) : new MissingMinikube(profile)),
    portForwarder: (client) => new PortForwarder(proc, client),
  };
}
