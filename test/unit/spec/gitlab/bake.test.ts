import test from 'ava';
import { bakeTargets, BakeError } from '../../../../src/spec/gitlab/bake.js';
import { fixtureFile } from './_helpers.js';

const single = `
variable "REGISTRY" { default = "registry:5000/blubber" }
variable "TAG" { default = "latest" }
target "common" {
  context = "."
  dockerfile = ".pipeline/blubber.yaml"
  args = { BUILDKIT_SYNTAX = "x" }
}
group "default" { targets = ["buildkit"] }
group "test" { targets = ["lint", "unit"] }
target "lint" {
  inherits = ["common"]
  target = "lint"
}
target "unit" {
  inherits = ["common"]
  target = "unit"
}
target "buildkit" {
  inherits = ["common"]
  target = "buildkit"
  tags = ["\${REGISTRY}/buildkit:\${TAG}"]
  output = [ "type=registry" ]
}
`;

test('a bake file shaped like the 2025-09 corpus snapshot: one tag per target, groups expanded, variables from the job', (t) => {
  const targets = bakeTargets(single, ['test', 'default'], { REGISTRY: 'localhost/repos/releng/blubber', TAG: 'v1.9.0' });
  t.deepEqual(targets.map((x) => [x.name, x.variant, x.tags, x.output.type]), [
    ['lint', 'lint', [], 'none'],
    ['unit', 'unit', [], 'none'],
    ['buildkit', 'buildkit', ['localhost/repos/releng/blubber/buildkit:v1.9.0'], 'registry'],
  ]);
  t.deepEqual(targets[0]!.args, { BUILDKIT_SYNTAX: 'x' });
  t.is(bakeTargets(single, ['buildkit'], {})[0]!.tags[0], 'registry:5000/blubber/buildkit:latest', 'the variable defaults');
});

test('functions, for expressions and matrix targets (the fixture shaped like blubber today)', (t) => {
  const targets = bakeTargets(fixtureFile('blubber', 'bake.hcl')!, ['test', 'acceptance', 'docs'], { REGISTRY: 'R/p', TAG: 'v2.10.3' });
  t.deepEqual(targets.map((x) => x.name), ['lint', 'unit', 'acceptance', 'docs']);
  t.deepEqual(targets[1]!.args, { BUILDKIT_CONTEXT_KEEP_GIT_DIR: '1', MAKE_TARGET: 'unit' });
  t.deepEqual(targets[2]!.tags, ['R/p/acceptance:v2', 'R/p/acceptance:v2.10', 'R/p/acceptance:v2.10.3']);
  t.deepEqual(targets[3]!.output, { type: 'local', dest: 'dist/docs' });
});

const broken = test.macro({
  exec(t, text: string, requested: string[], message: RegExp, where?: string) {
    const error = t.throws(() => bakeTargets(text, requested, {}), { instanceOf: BakeError });
    t.regex(error!.message, message);
    if (where) t.is(`${error!.line}:${error!.col}`, where);
  },
  title: (title) => `bake error: ${title}`,
});
test('an unknown target', broken, single, ['nope'], /no target `nope` in the bake file \(targets: common, lint, unit, buildkit\)/);
test('an unsupported function, located', broken, 'target "a" {\n  tags = [timestamp()]\n}\n', ['a'], /function `timestamp` is not supported/, '2:11');
test('an unclosed string', broken, 'target "a" {\n  target = "x\n}\n', ['a'], /not closed/, '2:12');
test('an inherits cycle', broken, 'target "a" { inherits = ["b"] }\ntarget "b" { inherits = ["a"] }\n', ['a'], /inherits forms a cycle: a → b → a/);
