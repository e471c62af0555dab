/**
 * Which cluster and namespace: the minikube profile's context (MINIKUBE_PROFILE, default
 * `minikube`) unless `--allow-context NAME` names another one explicitly, so devpipe never acts
 * on whatever `kubectl config current-context` happens to be (a shared or production cluster).
 * One namespace per project: `devpipe-<project>`.
 */
import { namespaceOf } from '../../engine/kube/names.js';
import { DevpipeError } from '../../errors.js';
import type { HelmClient, KubeClient, KubeTarget, MinikubeClient } from '../../engine/kube/ports.js';
import type { KubeAdapters } from '../../kube/adapters.js';
import { DEFAULT_PROFILE } from '../../kube/minikube.js';
import type { Context } from '../context.js';

export interface KubeSetup {
  target: KubeTarget;
  /** The minikube profile behind the context, or undefined for another (opted-in) context. */
  minikubeProfile: string | undefined;
  kubectl: KubeClient;
  helm: HelmClient;
  minikube: MinikubeClient;
  adapters: KubeAdapters;
}

export function kubeTargetFor(project: string, env: NodeJS.ProcessEnv, allowContext: string | undefined): { target: KubeTarget; minikubeProfile: string | undefined } {
  const profile = env.MINIKUBE_PROFILE || DEFAULT_PROFILE;
  const context = allowContext || profile;
  return { target: { context, namespace: namespaceOf(project) }, minikubeProfile: context === profile ? profile : undefined };
}

export async function kubeSetup(ctx: Context, project: string): Promise<KubeSetup> {
  const { target, minikubeProfile } = kubeTargetFor(project, ctx.env, ctx.options.allowContext);
  const adapters = await ctx.kube();
  return {
    target,
    minikubeProfile,
    kubectl: adapters.kubectl(target),
    helm: adapters.helm(target),
    minikube: adapters.minikube(minikubeProfile ?? target.context),
    adapters,
  };
}

/** minikube must be running before anything is built for it (exit 3 with the fix otherwise). */
export async function requireMinikubeRunning(setup: KubeSetup): Promise<void> {
  if (!setup.minikubeProfile) return;
  const status = await setup.minikube.status();
  if (status.running) return;
  const flag = setup.minikubeProfile === DEFAULT_PROFILE ? '' : ` -p ${setup.minikubeProfile}`;
  throw new DevpipeError('environment', status.host === 'Nonexistent' ? `the minikube profile "${setup.minikubeProfile}" does not exist` : `minikube is not running (host ${status.host}, apiserver ${status.apiServer})`, {
    hint: `run \`minikube start${flag}\`; to use another cluster pass --allow-context NAME`,
  });
}
