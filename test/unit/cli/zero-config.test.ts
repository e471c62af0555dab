import test from 'ava';
import { pipelineBlubberFiles, stackFileFor } from '../../../src/engine/project/blubber.js';
import { restartsAfterSync } from '../../../src/engine/dev/iteration.js';
import type { DevPlan } from '../../../src/engine/dev/plan.js';

test('config.yaml: the blubberfiles of pipelines and stages, relative to .pipeline/, each once; run-time paths skipped', (t) => {
  const text = `pipelines:
  test:
    blubberfile: calcblubber-debian.yaml
    stages:
      - name: a
        build: {variant: x, blubberfile: sub/other.yaml}
      - name: b
        build: {variant: y, blubberfile: '\${setup.x}.yaml'}
  publish:
    blubberfile: calcblubber-debian.yaml
`;
  t.deepEqual(pipelineBlubberFiles(text), ['.pipeline/calcblubber-debian.yaml', '.pipeline/sub/other.yaml']);
  t.deepEqual(pipelineBlubberFiles('pipelines: [oops'), []);
  t.deepEqual(pipelineBlubberFiles(''), []);
});

test('the devpipe.yaml printed with a default-related error', (t) => {
  t.is(stackFileFor('.pipeline/service.blubber.yaml', 'svc', 'server'), 'version: v1\nservices:\n  svc:\n    build: {variant: server, blubber: .pipeline/service.blubber.yaml}\n    ports: [8080]');
});

test('restart after a hot sync: by default yes; sync.restart false says the service reloads itself; the flag decides for all', (t) => {
  const plan = { config: { services: [{ name: 'api', syncRestart: true }, { name: 'web', syncRestart: false }] } } as unknown as DevPlan;
  t.true(restartsAfterSync(plan, 'api', undefined));
  t.false(restartsAfterSync(plan, 'web', undefined));
  t.true(restartsAfterSync(plan, 'web', true));
  t.false(restartsAfterSync(plan, 'api', false));
});
