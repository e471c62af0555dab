import test from 'ava';
import type { KubeDeployPort } from '../../../../src/engine/ci/index.js';
import { diamond, world, runYaml } from './harness.js';

const twoFrames = `pipelines:
  test:
    blubberfile: blubber.yaml
    stages:
      - name: build
      - name: test
      - name: lint
    execution:
      - [build, test]
      - [build, lint]
`;

test('frames run in order; the stages of a frame run in parallel; the plan shows the frame as concurrent', async (t) => {
  const w = world();
  let release!: () => void;
  w.behaviours.test = { gate: new Promise<void>((resolve) => (release = resolve)) };
  w.behaviours.lint = { lines: ['linted'] };
  const done = runYaml(w, twoFrames);
  // lint finishes while test is still running: they share a frame.
  for (let i = 0; i < 50 && !w.calls.includes('exit lint 0'); i++) await new Promise((r) => setTimeout(r, 5));
  t.true(w.calls.includes('exit lint 0'));
  t.false(w.calls.includes('exit test 0'));
  release();
  const { exitCode, events, record } = await done;
  t.is(exitCode, 0);
  t.is(record.status, 'passed');
  t.true(w.calls.indexOf('exit build 0') < w.calls.indexOf('build test'), 'frame 2 starts after frame 1');
  const plan = events.find((e) => e.type === 'plan');
  t.like(plan, { tasks: [{ id: 'pipeline:test' }, { id: 'frame:test:1', title: 'frame 1: build' }, { id: 'build' }, { id: 'frame:test:2', concurrent: true, title: 'frame 2: test ∥ lint (parallel)' }] });
  const logs = events.filter((e) => e.type === 'task:log').map((e) => (e.type === 'task:log' ? `${e.id} | ${e.line}` : ''));
  t.true(logs.includes('lint | linted'), 'container output is prefixed by the stage');
});

test('steps run in the fixed order whatever the YAML order; bindings flow to later stages', async (t) => {
  const w = world();
  w.behaviours.versions = { lines: ['18', '20', '22'] };
  const { exitCode, record } = await runYaml(
    w,
    `pipelines:
  p:
    blubberfile: blubber.yaml
    stages:
      - name: versions
        exports: { first: '\${.output}' }
        run: { tail: 2 }
        build: versions
      - name: matrix
        build: probe
        run:
          arguments: { $each: v, $in: '\${versions.output}', $yield: 'node\${.v}' }
        copy: [/out/]
`,
  );
  t.is(exitCode, 0);
  t.deepEqual(
    w.calls.filter((c) => /^(build|run|copy) /.test(c)),
    ['build versions', 'run versions', 'build probe', 'run probe node20 node22', 'copy /out/.'],
  );
  t.is(record.bindings.versions?.output, '20\n22\n');
  t.deepEqual(record.stages[0]?.exports, { first: '20\n22\n' });
  t.is(record.bindings.versions?.imageID, record.stages[0]?.imageId);
  t.regex(String(record.bindings.versions?.imageLocalName), /^localhost\/plib-image-[a-z0-9]{8}$/);
  t.regex(String(record.bindings.matrix?.container), /^plib-run-[a-z0-9]{8}$/);
  t.is(w.copies[0]?.destination, '/repo/out');
});

test('a failed stage: the rest of its frame finishes, no later frame runs, teardown removes containers and keeps images for --rerun', async (t) => {
  const w = world();
  w.behaviours.test = { exitCode: 3, lines: ['boom'] };
  const { exitCode, record, teardown } = await runYaml(w, diamond);
  t.is(exitCode, 1);
  t.is(record.status, 'failed');
  t.deepEqual(
    record.stages.map((s) => [s.stage, s.status]),
    [['build', 'passed'], ['test', 'failed'], ['lint', 'passed'], ['candidate', 'not-run']],
  );
  t.regex(record.stages[1]?.error ?? '', /stage `test`: run exited with code 3[\s\S]*boom/);
  t.false(w.calls.includes('build candidate'));
  t.is(w.containers.size, 0, 'every container removed');
  t.is(teardown.containersRemoved, 3);
  t.is(teardown.imagesRemoved, 0);
  t.is(teardown.imagesKept.length, 3);
});

test('a passing run keeps the images it built as content-addressed cache (never removed by ID), removes its local names; published tags stay', async (t) => {
  const w = world();
  const { exitCode, record, teardown } = await runYaml(
    w,
    `pipelines:
  publish:
    blubberfile: blubber.yaml
    stages:
      - name: build
      - name: candidate
        build: candidate
        publish:
          image:
            tags: [stable]
        exports:
          ref: '\${.imageName}:\${.imageTag}'
`,
  );
  t.is(exitCode, 0);
  const candidate = record.stages[1]!;
  t.deepEqual(candidate.published, ['mediawiki-services-citoid:2026-08-17-094555-candidate', 'mediawiki-services-citoid:stable']);
  t.is(candidate.exports.ref, 'mediawiki-services-citoid:2026-08-17-094555-candidate');
  t.is(record.bindings.candidate?.publishedImage, 'docker-registry.wikimedia.org/wikimedia/mediawiki-services-citoid:2026-08-17-094555-candidate');
  t.is(candidate.steps.find((s) => s.step === 'publish')?.status, 'local-stand-in');
  t.is(teardown.imagesRemoved, 0);
  t.deepEqual(teardown.imagesKept, [candidate.imageId]);
  t.deepEqual(teardown.imagesCached, [record.stages[0]!.imageId]);
  t.truthy(w.find('mediawiki-services-citoid:stable'));
  t.truthy(w.find(`sha256:${record.stages[0]!.imageId}`), 'the unpublished image stays as build cache');
  t.deepEqual(w.calls.filter((c) => c.startsWith('rmi ') && !c.startsWith('rmi localhost/plib-image-')), [], 'no image removed by ID (that would take `devpipe build` tags with it)');
  t.false([...w.images.values()].some((i) => i.tags.some((tag) => tag.startsWith('localhost/plib-image-'))), 'local names removed');
});

test('publish pushes only when a registry is configured', async (t) => {
  const w = world();
  await runYaml(w, `pipelines:\n  p:\n    blubberfile: blubber.yaml\n    stages:\n      - name: candidate\n        build: candidate\n        publish: { image: true }\n`, { registry: 'localhost:5000/wikimedia' });
  t.deepEqual(w.pushed, ['localhost:5000/wikimedia/mediawiki-services-citoid:2026-08-17-094555-candidate']);
});

test('a published name outside the project prefix fails the stage with PipelineLib\'s message', async (t) => {
  const w = world();
  const { exitCode, record } = await runYaml(w, `pipelines:\n  p:\n    blubberfile: blubber.yaml\n    stages:\n      - name: candidate\n        build: candidate\n        publish: { image: { name: other } }\n`);
  t.is(exitCode, 1);
  t.regex(record.stages[0]?.error ?? '', /the published image name \(`other`\) must either match or be prefixed by the full or short project name/);
});

test('--keep keeps containers and images', async (t) => {
  const w = world();
  const { teardown } = await runYaml(w, twoFrames, { keep: true });
  t.true(teardown.kept);
  t.is(w.containers.size, 3);
  t.false(w.calls.some((c) => c.startsWith('rm ') || c.startsWith('rmi ')));
});

test('credentials come from the secret source, are passed as env and redacted from output; a missing id names it', async (t) => {
  const yaml = `pipelines:\n  p:\n    blubberfile: blubber.yaml\n    stages:\n      - name: test\n        build: test\n        run:\n          tail: 1\n          credentials: [{ id: SONAR_API_KEY, name: SONAR_TOKEN }]\n        exports: { said: '\${.output}' }\n`;
  const w = world();
  w.secrets.SONAR_API_KEY = 'fake-sonar-value';
  w.behaviours.test = { lines: ['token is fake-sonar-value'] };
  const ok = await runYaml(w, yaml);
  t.is(ok.exitCode, 0);
  t.is([...w.containers.values()][0], undefined, 'removed at teardown');
  const logs = ok.events.flatMap((e) => (e.type === 'task:log' ? [e.line] : []));
  t.true(logs.includes('token is ***'));
  t.false(logs.some((l) => l.includes('fake-sonar-value')));
  t.deepEqual(ok.record.stages[0]?.exports, { said: 'token is ***\n' }, 'exports in the summary are redacted too');
  t.is(w.containers.size, 0);

  const missing = await runYaml(world(), yaml);
  t.is(missing.exitCode, 2);
  t.regex(missing.record.stages[0]?.error ?? '', /no value for credential `SONAR_API_KEY`[\s\S]*fake secrets[\s\S]*DEVPIPE_SECRET_SONAR_API_KEY/);
});

test('deploy needs the minikube target: the stage is incomplete, not passed; promote and trigger are reported as not run locally', async (t) => {
  const w = world();
  const { exitCode, record } = await runYaml(
    w,
    `pipelines:\n  p:\n    blubberfile: blubber.yaml\n    stages:\n      - name: candidate\n        build: candidate\n        publish: { image: true }\n        promote: true\n        deploy: { chart: {} }\n`,
  );
  t.is(exitCode, 0);
  t.is(record.status, 'incomplete');
  t.is(record.stages[0]?.status, 'incomplete');
  const steps = Object.fromEntries(record.stages[0]!.steps.map((s) => [s.step, s]));
  t.is(steps.deploy?.status, 'not-run-locally');
  t.regex(steps.deploy?.detail ?? '', /needs the minikube target.*chart citoid.*main_app.version=2026-08-17-094555-candidate/);
  t.regex(steps.promote?.detail ?? '', /update_version.py -s citoid -v 2026-08-17-094555-candidate/);
});

test('deploy with --target minikube: helm release through the kube port, bound as releaseName, uninstalled by teardown', async (t) => {
  const w = world();
  const calls: string[] = [];
  const kube: KubeDeployPort = {
    deploy: async (step, options) => {
      calls.push(`deploy ${step.chart.name} ${step.image}:${step.tag} local=${options.localImage ?? ''} test=${step.test}`);
      return { releaseName: 'abcd1234', where: 'minikube/devpipe-citoid' };
    },
    undeploy: async (release) => {
      calls.push(`undeploy ${release}`);
    },
  };
  const { exitCode, record } = await runYaml(
    w,
    `pipelines:\n  p:\n    blubberfile: blubber.yaml\n    stages:\n      - name: candidate\n        build: candidate\n        publish: { image: true }\n        deploy: { chart: {} }\n        exports: { release: '\${.releaseName}' }\n`,
    { kube },
  );
  t.is(exitCode, 0);
  t.is(record.status, 'passed');
  t.deepEqual(calls, [
    'deploy citoid mediawiki-services-citoid:2026-08-17-094555-candidate local=mediawiki-services-citoid:2026-08-17-094555-candidate test=true',
    'undeploy abcd1234',
  ]);
  t.is(record.stages[0]?.exports.release, 'abcd1234');
  t.regex(record.stages[0]!.steps.find((s) => s.step === 'deploy')?.detail ?? '', /helm release abcd1234 of citoid on minikube\/devpipe-citoid, helm test passed/);
});

test('Ctrl-C: the running stage is interrupted, teardown still runs, exit 130', async (t) => {
  const w = world();
  const abort = new AbortController();
  w.behaviours.test = { gate: new Promise(() => undefined) };
  const done = runYaml(w, twoFrames, { signal: abort.signal });
  for (let i = 0; i < 50 && !w.calls.includes('run test'); i++) await new Promise((r) => setTimeout(r, 5));
  abort.abort();
  const { exitCode, record } = await done;
  t.is(exitCode, 130);
  t.is(record.status, 'interrupted');
  t.is(w.containers.size, 0);
});

test('build: context relative to the directory; excludes replace .dockerignore; .devpipe/ is never sent', async (t) => {
  const w = world();
  w.files['service/.dockerignore'] = '# comment\nnode_modules\n\n*.log\n';
  await runYaml(
    w,
    `pipelines:\n  p:\n    blubberfile: blubber.yaml\n    directory: service\n    stages:\n      - name: build\n        build: build\n      - name: test\n        build: { variant: test, context: sub, excludes: [tmp] }\n`,
  );
  const [first, second] = w.buildRequests;
  t.is(first?.contextDir, '/repo/service');
  t.deepEqual(first?.ignorePatterns, ['node_modules', '*.log', '.devpipe']);
  t.is(second?.contextDir, '/repo/service/sub');
  t.deepEqual(second?.ignorePatterns, ['tmp', '.devpipe']);
  t.is(first?.labels?.['devpipe.stage'], 'build');
  t.is(first?.labels?.['devpipe.run'], 'run-1');
  t.is(first?.pull, false, 'imagePullPolicy: always never pulls unless asked');
});
