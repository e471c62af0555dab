/**
 * Steps that need Wikimedia infrastructure (reference §7.3): they are resolved (so a bad `${…}`
 * still fails the stage, as in CI) and reported as not run locally, saying what CI would have
 * done. `deploy` runs on minikube with `--target minikube`, and is reported as not run otherwise.
 */
import { resolveDeploy, resolveNotify, resolvePromote, resolveTrigger, type Stage, type StageContext } from '../../spec/pipeline/index.js';
import type { StepOutcome } from './record.js';
import type { RunState } from './state.js';

export function promoteStep(stage: Stage, ctx: StageContext): StepOutcome {
  const items = resolvePromote(stage.promote!, ctx);
  const what = items.map((i) => `update_version.py -s ${i.chart} -v ${i.version}${i.environments.map((e) => ` -e ${e}`).join('')}`).join('; ');
  return { step: 'promote', status: 'not-run-locally', detail: `CI would open a Gerrit change on operations/deployment-charts: ${what}` };
}

export async function deployStep(state: RunState, stage: Stage, ctx: StageContext): Promise<StepOutcome> {
  const d = resolveDeploy(stage.deploy!, ctx);
  const version = d.chart.version ? ` --version ${d.chart.version}` : '';
  const kube = state.ports.kube;
  if (!kube) {
    return {
      step: 'deploy',
      status: 'not-run-locally',
      detail:
        `needs the minikube target (run with --target minikube): CI would helm install chart ${d.chart.name}${version} in namespace ci with ` +
        `main_app.image=wikimedia/${d.image} main_app.version=${d.tag}, timeout ${d.timeout ?? 120}s${d.test ? ', then helm test' : ''}`,
    };
  }
  // The image this stage (or the one it names) published, as the local store holds it.
  const localImage = `${d.image}:${d.tag}`;
  const { releaseName, where } = await kube.deploy(d, { localImage, signal: state.options.signal });
  state.record.releases = [...(state.record.releases ?? []), releaseName];
  ctx.bind('releaseName', releaseName);
  return { step: 'deploy', status: 'ok', detail: `helm release ${releaseName} of ${d.chart.name}${version} on ${where}${d.test ? ', helm test passed' : ''}` };
}

export function triggerStep(stage: Stage, ctx: StageContext): StepOutcome {
  const t = resolveTrigger(stage.trigger!, ctx);
  const params = Object.entries(t.parameters).map(([k, v]) => `${k}=${v}`).join(' ');
  return { step: 'trigger', status: 'not-run-locally', detail: `CI would trigger Jenkins job ${t.name}${params ? ` with ${params}` : ''}${t.wait ? ' and wait for it' : ''}` };
}

/** On a failed stage: the email CI would send (never sent locally). */
export function notifyOutcome(stage: Stage, ctx: StageContext): StepOutcome | undefined {
  if (!stage.notify) return undefined;
  try {
    const n = resolveNotify(stage.notify, ctx);
    return { step: 'notify', status: 'not-run-locally', detail: `CI would email ${n.to.join(', ')}: "${n.subject}"` };
  } catch (error) {
    return { step: 'notify', status: 'not-run-locally', detail: `CI would send the failure email, but it does not interpolate: ${(error as Error).message}` };
  }
}
