/**
 * Issue 13 items 7 and 8: which pipelines a run selects (as CI does for a mode), and semantics
 * checked only for the selected ones. Fixture shaped like citoid's config.yaml (test, rehearse
 * with deploy, publish with promote).
 */
import test from 'ava';
import { DevpipeError } from '../../../../src/errors.js';
import { loadPipelineConfig, selectPipelines, skippedLines } from '../../../../src/spec/pipeline/index.js';
import { load, where } from './_helpers.js';

const citoid = `pipelines:
  test:
    blubberfile: blubber.yaml
    stages:
      - name: test
  rehearse:
    blubberfile: blubber.yaml
    stages:
      - name: candidate
        build: production
        publish:
          image: true
        deploy:
          chart:
            name: citoid
            version: 0.3.20
          test: true
  publish:
    blubberfile: blubber.yaml
    stages:
      - name: production
        build: production
        publish:
          image: true
        promote: true
`;

test('no name, test mode: the pipelines the mode allows run; the others are listed with the actions that keep them out', (t) => {
  const selection = selectPipelines(load(citoid), [], 'test');
  t.deepEqual(selection.run, ['test']);
  t.deepEqual(selection.skipped, [
    { pipeline: 'rehearse', actions: [{ action: 'publish', stage: 'candidate' }, { action: 'deploy', stage: 'candidate' }] },
    { pipeline: 'publish', actions: [{ action: 'publish', stage: 'production' }, { action: 'promote', stage: 'production' }] },
  ]);
  t.deepEqual(skippedLines(selection, 'test'), [
    'skipped pipeline rehearse: `publish` (stage candidate), `deploy` (stage candidate) not allowed in test mode (allowed only in gate/postmerge runs; run it with `devpipe ci --mode postmerge rehearse`)',
    'skipped pipeline publish: `publish` (stage production), `promote` (stage production) not allowed in test mode (allowed only in gate/postmerge runs; run it with `devpipe ci --mode postmerge publish`)',
  ]);
});

test('no name, postmerge mode: every pipeline runs, in file order', (t) => {
  t.deepEqual(selectPipelines(load(citoid), [], 'postmerge'), { run: ['test', 'rehearse', 'publish'], skipped: [] });
});

test('named pipelines run as named, even ones the mode refuses (the refusal is then an error, as in CI)', (t) => {
  t.deepEqual(selectPipelines(load(citoid), ['publish', 'test', 'publish'], 'test'), { run: ['publish', 'test'], skipped: [] });
});

test('an unknown name is CI\'s error, exit 2 (usage)', (t) => {
  const error = t.throws(() => selectPipelines(load(citoid), ['tset'], 'test'), { instanceOf: DevpipeError });
  t.is(error?.kind, 'usage');
  t.regex(error?.message ?? '', /Pipeline 'tset' is not defined/);
});

test('nothing the mode allows: a usage error that says how to run them', (t) => {
  const only = citoid.slice(0, citoid.indexOf('  rehearse:')).replace('      - name: test\n', '      - name: test\n        build: x\n        publish: {image: true}\n');
  const error = t.throws(() => selectPipelines(load(only), [], 'test'), { instanceOf: DevpipeError });
  t.is(error?.kind, 'usage');
  t.regex(error?.message ?? '', /no pipeline of config\.yaml can run in test mode: test \(`publish` in stage test\)/);
  t.regex(error?.hint ?? '', /devpipe ci --mode postmerge test/);
});

const broken = `${citoid}      - name: later
        build: production
        run:
          arguments: ['\${nope.output}']
`;

test('a semantic error in a pipeline that is not selected is a warning, located, saying why', (t) => {
  const result = loadPipelineConfig(broken, 'config.yaml', { select: () => ['test'] });
  t.true(result.ok);
  const warning = result.warnings.find((w) => w.path.startsWith('pipelines.publish.stages[1]'));
  t.truthy(warning, result.warnings.map((w) => `${where(w)} ${w.message}`).join('\n'));
  t.regex(warning?.message ?? '', /pipeline `publish` does not run now, and CI checks a pipeline only when it runs it/);
});

test('the same error is fatal when its pipeline is selected, and by default (every pipeline)', (t) => {
  const selected = loadPipelineConfig(broken, 'config.yaml', { select: () => ['publish'] });
  t.false(selected.ok);
  t.false(loadPipelineConfig(broken, 'config.yaml').ok);
});

test('graph errors (a cycle) in another pipeline are warnings too; schema errors anywhere stay errors', (t) => {
  const cycle = `${citoid}    execution: [[production, production]]\n`;
  t.true(loadPipelineConfig(cycle, 'config.yaml', { select: () => ['test'] }).ok);
  const schema = citoid.replace('        promote: true\n', '        promote: true\n        pubish: {image: true}\n');
  const result = loadPipelineConfig(schema, 'config.yaml', { select: () => ['test'] });
  t.false(result.ok);
  if (!result.ok) t.regex(result.errors[0]?.message ?? '', /unknown key "pubish"/);
});
