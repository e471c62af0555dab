import test from 'ava';
import { CycleError, ExecutionGraph, graphDot, graphText, pipelineGraph, stageFrames } from '../../../../src/spec/pipeline/graph.js';
import { fixture, load } from './_helpers.js';

// G1: ancestors, leaves, degrees, roots (incl. isolates), union, concatenation, frames, cycles, DOT.
const doc = () => new ExecutionGraph([['a', 'b', 'c', 'd'], ['w', 'b', 'y'], ['x', 'y', 'd'], ['z']]);

test('G1 ancestors', (t) => {
  t.deepEqual([...doc().ancestorsOf('d')].sort(), ['a', 'b', 'c', 'w', 'x', 'y']);
  t.deepEqual([...doc().ancestorsOf('a')], []);
});
test('G1 roots include isolates', (t) => t.deepEqual(doc().roots(), ['a', 'w', 'x', 'z']));
test('G1 leaves include isolates', (t) => t.deepEqual(doc().leaves(), ['d', 'z']));
test('G1 degrees', (t) => {
  t.is(doc().inDegreeOf('b'), 2);
  t.is(doc().outDegreeOf('b'), 2);
  t.is(doc().inDegreeOf('z'), 0);
});
test('G1 frames of the documented graph', (t) => t.deepEqual(doc().frames(), [['a', 'w', 'x', 'z'], ['b'], ['c', 'y'], ['d']]));
test('G1 union', (t) => {
  const u = new ExecutionGraph([['a', 'b']]).union(new ExecutionGraph([['b', 'c'], ['z']]));
  t.deepEqual(u.edges(), [['a', 'b'], ['b', 'c']]);
  t.deepEqual(u.isolatedNodes(), ['z']);
});
test('G1 concatenation wires leaves to roots', (t) => {
  const g = new ExecutionGraph([['a', 'b'], ['x']]).concat(new ExecutionGraph([['c'], ['d', 'e']]));
  t.deepEqual(g.edges(), [['a', 'b'], ['d', 'e'], ['b', 'd'], ['b', 'c'], ['x', 'd'], ['x', 'c']]);
});
test('G1 cycle detection', (t) => {
  const error = t.throws(() => new ExecutionGraph([['a', 'b', 'c'], ['c', 'b']]).frames(), { instanceOf: CycleError });
  t.deepEqual(error?.cycle, ['b', 'c', 'b']);
});
test('G1 PipelineLib DOT one-liner', (t) => t.is(new ExecutionGraph([['a', 'b', 'c'], ['x']]).toString(), 'digraph { a -> b; b -> c; x }'));

// §3.2 / P6 frame orders.
const frames = test.macro({
  exec(t, execution: string[][], expected: string[][]) {
    t.deepEqual(pipelineGraph({ execution }).frames(), expected);
  },
  title: (title, execution) => `P6 frames of ${JSON.stringify(execution)}${title ? ` (${title})` : ''}`,
});
test(frames, [['A', 'C'], ['B', 'C']], [['setup'], ['A', 'B'], ['C'], ['teardown']]);
test('reference §3.2', frames, [['a', 'b', 'c', 'd', 'e', 'f'], ['x', 'd', 'y', 'f']], [['setup'], ['a', 'x'], ['b'], ['c'], ['d'], ['e', 'y'], ['f'], ['teardown']]);
test('default: one serial arc', frames, [['a', 'b', 'c']], [['setup'], ['a'], ['b'], ['c'], ['teardown']]);
test('isolates come after chained roots', frames, [['i'], ['a', 'b']], [['setup'], ['a', 'i'], ['b'], ['teardown']]);
test('a lone arc of a chained stage still waits for its predecessor', frames, [['a', 'b'], ['b']], [['setup'], ['a'], ['b'], ['teardown']]);
test('a stage waits for all its predecessors', frames, [['a', 'b', 'c'], ['a', 'c']], [['setup'], ['a'], ['b'], ['c'], ['teardown']]);

test('stageFrames leaves setup and teardown out', (t) => t.deepEqual(stageFrames({ execution: [['build', 'test'], ['build', 'lint']] }), [['build'], ['test', 'lint']]));

const fixtures = ['ores', 'mediawiki-services-function-evaluator', 'mediawiki-services-mathoid', 'diamond', 'scoping-demo'];
for (const name of fixtures) {
  test(`graph text and DOT of ${name}`, (t) => {
    const config = load(fixture(`${name}.config.yaml`));
    for (const pipeline of config.pipelines) {
      t.snapshot(graphText(pipeline), `${pipeline.name}: text`);
      t.snapshot(graphDot(pipeline), `${pipeline.name}: dot`);
    }
  });
}

test('graphText of ores', (t) => {
  const ores = load(fixture('ores.config.yaml')).pipelines[0]!;
  t.is(graphText(ores), 'frame 1: build\nframe 2: unit-test ∥ lint');
  t.is(graphText(ores, { setupTeardown: true }), 'frame 1: setup\nframe 2: build\nframe 3: unit-test ∥ lint\nframe 4: teardown');
});
