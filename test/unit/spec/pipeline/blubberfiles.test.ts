import test from 'ava';
import { blubberFilesNeeded, missingBlubberFiles } from '../../../../src/spec/pipeline/index.js';
import { fixture, load } from './_helpers.js';

test('files needed: default <pipeline>/blubber.yaml, explicit paths, directory', (t) => {
  const config = load(fixture('machinelearning-liftwing-inference-services.config.yaml'));
  const needs = blubberFilesNeeded(config);
  t.like(needs[0], { pipeline: 'editquality', file: 'editquality/blubber.yaml', repoPath: '.pipeline/editquality/blubber.yaml', directory: 'revscoring/editquality', defaulted: true, stages: ['run-test', 'production'] });
  t.deepEqual(needs[0]?.keyPath, ['pipelines', 'editquality']);
  t.like(needs[1], { pipeline: 'editquality-publish', file: 'editquality/blubber.yaml', defaulted: false });
  t.deepEqual(needs[1]?.keyPath, ['pipelines', 'editquality-publish', 'blubberfile']);
  t.like(needs[2], { pipeline: 'editquality-transformer', file: 'editquality/transformer.yaml' });
});

test('stages without build need no file; stage-level files and inline configs', (t) => {
  const config = load("pipelines:\n  p:\n    blubberfile: b.yaml\n    stages:\n      - {name: a, blubberfile: other.yaml, build: x}\n      - {name: c, blubberfile: {version: v4}, build: yy}\n      - {name: d, run: {image: '${a.imageID}'}}\n");
  t.deepEqual(blubberFilesNeeded(config).map((n) => [n.file, n.stages]), [['other.yaml', ['a']]]);
});

test('missing files are located at blubberfile, or at the pipeline key when defaulted', (t) => {
  const config = load(fixture('mediawiki-services-function-orchestrator.config.yaml'));
  const issues = missingBlubberFiles(config, (path) => path === '.pipeline/blubber.yaml');
  t.deepEqual(issues.map((i) => `${i.line}:${i.col} ${i.path}`), ['13:3 pipelines.publish']);
  t.regex(issues[0]!.message, /has no `blubberfile`, so it builds from the default \.pipeline\/publish\/blubber\.yaml, which does not exist/);
  t.regex(issues[0]!.hint ?? '', /add `blubberfile: blubber.yaml`/);

  const explicit = missingBlubberFiles(config, () => false, ['test']);
  t.deepEqual(explicit.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`), ['3:18 pipelines.test.blubberfile: no Blubber config found at .pipeline/blubber.yaml (used by stages `built`)']);
});
