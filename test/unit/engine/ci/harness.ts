/** Runs a pipeline from YAML text against the recording fakes. */
import { EventBus, type DevpipeEvent } from '../../../../src/engine/events.js';
import { runPipeline, type CiPorts, type KubeDeployPort, type PipelineOutcome, type RerunPlan, type RunRecord } from '../../../../src/engine/ci/index.js';
import { findPipeline, loadPipelineConfig, setupValues } from '../../../../src/spec/pipeline/index.js';
import { FakeWorld } from '../../../fakes/ci/ports.js';

export const blubber = `version: v4
base: debian:bookworm-slim
variants:
  build: {}
  test: {}
  lint: {}
  candidate: {}
  versions: {}
  probe: {}
`;

/** Frames [build] [test ∥ lint] [candidate]: shared by the runner and rerun tests. */
export const diamond = `pipelines:
  p:
    blubberfile: blubber.yaml
    stages:
      - name: build
      - name: test
      - name: lint
      - name: candidate
    execution:
      - [build, test, candidate]
      - [build, lint]
`;

export function world(): FakeWorld {
  const w = new FakeWorld();
  w.images.set('sha256:base', { id: 'sha256:base', tags: ['debian:bookworm-slim'], labels: {}, env: [], user: '', workingDir: '', entrypoint: null, cmd: null, created: '', size: 0 });
  w.files['.pipeline/blubber.yaml'] = blubber;
  return w;
}

export interface Ran extends PipelineOutcome {
  events: DevpipeEvent[];
}

export async function runYaml(
  w: FakeWorld,
  yaml: string,
  options: { pipeline?: string; keep?: boolean; signal?: AbortSignal; rerun?: { record: RunRecord; plan: RerunPlan }; registry?: string; runId?: string; kube?: KubeDeployPort; passed?: CiPorts['passed']; noCache?: boolean } = {},
): Promise<Ran> {
  const loaded = loadPipelineConfig(yaml, '.pipeline/config.yaml');
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  const config = loaded.value;
  const pipeline = findPipeline(config, options.pipeline ?? config.pipelines[0]!.name)!;
  const bus = new EventBus();
  const events: DevpipeEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const startedAt = new Date(Date.UTC(2026, 7, 17, 9, 45, 55));
  const setup = options.rerun?.record.bindings.setup ?? setupValues({ pipeline: pipeline.name, remote: 'https://gerrit.wikimedia.org/r/mediawiki/services/citoid', commit: 'abc', startedAt });
  let n = 0;
  const outcome = await runPipeline(
    { ...w.ports(options.registry !== undefined), kube: options.kube, passed: options.passed },
    bus,
    { config, pipeline, runId: options.runId ?? 'run-1', setup, startedAt, rerun: options.rerun },
    { projectDir: '/repo', project: 'citoid', revision: 'abc', mode: 'gate', keep: options.keep, noCache: options.noCache, signal: options.signal, registry: options.registry, random: () => (n++ % 36) / 36 },
  );
  return { ...outcome, events };
}
