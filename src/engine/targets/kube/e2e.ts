/** `e2e` on Kubernetes: the suite as a Job in the project's namespace; its exit code is the result. */
import { chartOf } from '../../kube/chart.js';
import { requireKubeStackUp, runKubeSuite } from '../../kube/suite.js';
import { stackModel } from '../../stack/model.js';
import { runId } from '../../run-id.js';
import type { E2eResult, LoadedStack } from '../types.js';
import { buildAndDeliver } from './images.js';
import { requireMinikubeRunning, type KubePorts } from './target.js';

export async function kubeE2e(ports: KubePorts, stack: LoadedStack, signal: AbortSignal | undefined): Promise<E2eResult> {
  const { config, secrets } = stack;
  const setup = await ports.setup(config.project);
  await requireMinikubeRunning(setup);
  await setup.kubectl.ping();
  const builds = await stack.compile({ withSuite: true, onlySuite: true });
  const pinned = config.e2e?.image.kind === 'pinned' ? [config.e2e.image.ref] : [];
  const { built } = await buildAndDeliver(ports, setup, config, secrets, builds, pinned, signal);
  const model = stackModel(config, new Map([...built].map(([key, image]) => [key, image.contentTag])));
  await requireKubeStackUp(setup.kubectl, model, new Set(config.services.filter((s) => chartOf(s)).map((s) => s.name)));
  const run = runId(new Date(), { lowercase: true });
  const result = await runKubeSuite({ kubectl: setup.kubectl, files: ports.files }, secrets.bus, model, { run, redact: (t) => secrets.redactor.text(t), signal });
  const where = `${setup.target.context}/${setup.target.namespace}`;
  return {
    project: config.project,
    where,
    run,
    exitCode: result.exitCode,
    durationMs: result.durationMs,
    reportDir: result.reportDir,
    targetFlag: ' --target minikube',
    data: { project: config.project, target: setup.target, run, exitCode: result.exitCode, durationMs: result.durationMs, reportDir: result.reportDir },
  };
}
