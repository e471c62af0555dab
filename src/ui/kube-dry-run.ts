/** `up --target minikube --dry-run`: the kube plan as commands a person could run, secret values redacted. */
import path from 'node:path';
import { stringify } from 'yaml';
import { manifestsYaml } from '../engine/kube/deploy.js';
import { suiteJob, type Manifest } from '../engine/kube/manifests.js';
import type { KubeTarget } from '../engine/kube/ports.js';
import type { KubePlan } from '../engine/targets/kube/plan.js';
import { installArgs } from '../kube/helm.js';

/** A Secret as shown to people: keys only, each value replaced by where it comes from. */
export function redactObjects(objects: readonly Manifest[], sources: ReadonlyMap<string, string>): Manifest[] {
  return objects.map((o) => {
    if (o.kind !== 'Secret') return o;
    const { data, ...rest } = o as Manifest & { data?: Record<string, string> };
    const stringData = Object.fromEntries(Object.keys(data ?? {}).map((k) => [k, `[redacted: ${sources.get(k) ?? 'no value'}]`]));
    return { ...rest, stringData } as Manifest;
  });
}

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function pinnedKubectl(target: KubeTarget, args: readonly string[]): string {
  return ['kubectl', '--context', target.context, '--namespace', target.namespace, ...args].map(shellQuote).join(' ');
}

export function dryRunText(plan: KubePlan, target: KubeTarget, options: { minikubeProfile: string | undefined; sources: ReadonlyMap<string, string>; timeoutMs: number; root: string }): string {
  const rel = (p: string) => (p === '-' ? '-' : path.relative(options.root, p) || '.');
  const lines: string[] = [];
  lines.push(`# devpipe up --target minikube --dry-run: nothing is built, loaded or applied; no cluster is needed.`);
  lines.push(`# context: ${target.context}${options.minikubeProfile ? ` (minikube profile "${options.minikubeProfile}")` : ' (opted in with --allow-context)'}; namespace: ${target.namespace}`);
  lines.push(`# images: built ones are tagged <project>:<variant>-<content hash> (immutable: a rebuild always rolls out), built inside minikube (docker-env) when its runtime is docker, else built here and loaded with \`minikube image load\``);
  for (const warning of plan.warnings) lines.push(`# warning: ${warning}`);
  lines.push('');
  lines.push(`# 1. ${pinnedKubectl(target, ['apply', '-f', '-'])} <<'EOF'`);
  lines.push(manifestsYaml(redactObjects(plan.objects, options.sources)).trimEnd());
  lines.push('EOF');
  let step = 2;
  for (const chart of plan.charts) {
    const args = installArgs({ mode: 'upgrade-install', release: chart.release, chart: rel(chart.chart), valuesFiles: chart.valuesFiles.map(rel), setString: chart.setString, timeoutMs: options.timeoutMs });
    lines.push('');
    lines.push(`# ${step++}. ${chart.service}: helm chart (values: chart defaults → ${chart.valuesFiles.map(rel).map((f) => (f === '-' ? 'private slot (stdin, below)' : f)).join(' → ')} → image override of ${chart.imageKeys}.image/${chart.imageKeys}.version)`);
    lines.push(`helm ${[...args, '--kube-context', target.context, '--namespace', target.namespace].map(shellQuote).join(' ')} <<'EOF'`);
    const redacted = { config: { private: Object.fromEntries(Object.keys(chart.privateValues.config.private).map((k) => [k, '[redacted]'])), public: chart.privateValues.config.public } };
    lines.push(stringify(redacted).trimEnd());
    lines.push('EOF');
    if (chart.test) lines.push(`helm test ${shellQuote(chart.release)} --logs --timeout ${Math.ceil(options.timeoutMs / 1000)}s --kube-context ${shellQuote(target.context)} --namespace ${target.namespace}`);
  }
  const deployments = plan.objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name);
  if (deployments.length > 0) {
    lines.push('');
    lines.push(`# ${step}. wait for every rollout (health_timeout ${Math.round(options.timeoutMs / 1000)}s); on timeout the failing pod is named with its events and last logs`);
    for (const name of deployments) lines.push(pinnedKubectl(target, ['rollout', 'status', `deployment/${name}`, `--timeout=${Math.ceil(options.timeoutMs / 1000)}s`]));
  }
  if (plan.model.suite?.imageRef) {
    lines.push('');
    lines.push(`# later, \`devpipe e2e --target minikube\` runs the suite as this Job (its exit code is the result):`);
    lines.push(manifestsYaml([suiteJob(plan.model, plan.model.suite, target.namespace, 'run-id')]).trimEnd());
  }
  return lines.join('\n');
}

/** The dry run of `up --target minikube` as the kube target computed it. */
export function kubeDryRunText(dry: { plan: KubePlan; setup: { target: KubeTarget; minikubeProfile: string | undefined }; sources: ReadonlyMap<string, string> }, options: { timeoutMs: number; root: string }): string {
  return dryRunText(dry.plan, dry.setup.target, { minikubeProfile: dry.setup.minikubeProfile, sources: dry.sources, timeoutMs: options.timeoutMs, root: options.root });
}
