import test, { type ExecutionContext } from 'ava';
import { loadBlubber } from '../../../../src/spec/blubber/index.js';
import { brief, doc, errorsOf, fixture, load } from './support.js';

/** One expected issue: `line:col path: message` must appear, and the hint must contain `hint`. */
interface Expected {
  at: string;
  hint?: string | RegExp;
}

const rejects = test.macro({
  exec(t: ExecutionContext, yaml: string, expected: Expected[]) {
    const errors = errorsOf(yaml);
    const lines = brief(errors);
    for (const want of expected) {
      const index = lines.findIndex((line) => line.startsWith(want.at));
      t.true(index >= 0, `missing "${want.at}" in:\n${lines.join('\n')}`);
      const issue = errors[index];
      if (want.hint !== undefined && issue) {
        if (typeof want.hint === 'string') t.true((issue.hint ?? '').includes(want.hint), `hint of "${want.at}" was: ${issue.hint}`);
        else t.regex(issue.hint ?? '', want.hint);
      }
      if (issue) t.is(issue.file, 'blubber.yaml');
    }
    t.is(errors.length, expected.length, lines.join('\n'));
  },
  title: (title = '') => `rejects: ${title}`,
});

test('U03 unknown root key', rejects, 'version: v4\nnewphone: 1\nvariants: {}\n', [{ at: '2:1 newphone: unknown key "newphone"' }]);
test('U04 the version error wins over unknown keys', rejects, 'version: foo\nnewphone: 1\n', [{ at: '1:10 version: config version "foo" is unsupported', hint: 'version: v4' }]);
test('missing version', rejects, 'variants: {}\n', [{ at: '1:1 : version: is required', hint: 'version: v4' }]);
test('numeric version', rejects, 'version: 4\n', [{ at: '1:10 version: config version 4 is unsupported', hint: 'string' }]);
test('v3 is refused with a migration hint', rejects, 'version: v3\nbase: foo\nvariants:\n  prod:\n    copies: build\n', [
  { at: '1:10 version: version v3 is not supported; devpipe reads Blubber v4', hint: 'copies: [<variant>]' },
]);
test('unknown key in a variant gets a did-you-mean', rejects, doc('variants:\n  build:\n    entrypiont: [x]\n'), [{ at: '5:5 variants.build.entrypiont: unknown key "entrypiont"', hint: 'did you mean "entrypoint"?' }]);
test('typo of variants at the root', rejects, 'version: v4\nviaraints:\n  build: {}\n', [{ at: '2:1 viaraints: unknown key "viaraints"', hint: 'did you mean "variants"?' }]);
test('U09 unknown includes, one issue each', rejects, doc('variants:\n  build: {}\n  foo:\n    includes: [build, foobuild, foo_build]\n'), [
  { at: '6:23 variants.foo.includes[1]: references an unknown variant "foobuild"' },
  { at: '6:33 variants.foo.includes[2]: references an unknown variant "foo_build"' },
]);
test('U10 duplicate copies', rejects, doc('variants:\n  foo: {}\n  bar: {}\n  baz:\n    copies: [foo, bar, foo]\n'), [{ at: '7:24 variants.baz.copies[2]: cannot contain duplicates: same as [0]', hint: 'remove' }]);
test('U11 bad variant names', rejects, doc('variants:\n  build foo: {}\n  foo bar: {}\n'), [
  { at: '4:3 variants["build foo"]: bad variant name "build foo"', hint: 'at least 3 characters' },
  { at: '5:3 variants["foo bar"]: bad variant name "foo bar"' },
]);
test('O09 too short variant names', rejects, doc('variants:\n  a: {}\n  ab: {}\n'), [{ at: '4:3 variants.a: bad variant name' }, { at: '5:3 variants.ab: bad variant name' }]);
test('U12 from: ~ is required', rejects, doc('variants:\n  foo:\n    copies: [{ from: ~, source: /a, destination: /b }]\n'), [{ at: '5:22 variants.foo.copies[0].from: is required', hint: 'local' }]);
test('U13 from is neither a variant nor an image', rejects, doc('variants:\n  build: {}\n  foo:\n    copies: [{ from: foo bar, source: /a }]\n'), [{ at: '6:14 variants.foo.copies[0]: "foo bar" is not a valid image reference or known variant' }]);
test('U14 destination without source', rejects, doc('variants:\n  build: {}\n  foo:\n    copies: [{ from: build, destination: /bar }]\n'), [
  { at: '6:29 variants.foo.copies[0].destination: source: is required if "destination" is also set', hint: 'source' },
]);
test('U15 local sources must be relative', rejects, doc('variants:\n  foo:\n    copies:\n      - { from: local, source: /bad/path }\n      - { from: local, source: ./funny/../../business }\n'), [
  { at: '6:32 variants.foo.copies[0].source: path must be relative when "from" is "local"' },
  { at: '7:32 variants.foo.copies[1].source: path must be relative', hint: '..' },
]);
test('U16 bad Debian package names', rejects, doc('apt:\n  packages: ["foo fighter", bar_baz, "bar=0.1*bad version", bar/0bad_release]\nvariants: {}\n'), [
  { at: '4:14 apt.packages[0]: "foo fighter" is not a valid Debian package name' },
  { at: '4:29 apt.packages[1]: "bar_baz"' },
  { at: '4:38 apt.packages[2]: "bar=0.1*bad version"' },
  { at: '4:61 apt.packages[3]: "bar/0bad_release"' },
]);
test('U17 proxy without url', rejects, doc('apt:\n  proxies: [{ source: "http://a.example" }]\nvariants: {}\n'), [{ at: '4:13 apt.proxies[0].url: is required' }]);
test('U17 proxy with a bad url', rejects, doc('apt:\n  proxies: ["bad://proxy.example"]\nvariants: {}\n'), [
  { at: '4:13 apt.proxies[0]: "bad://proxy.example" is not a valid HTTP/HTTPS URL', hint: 'http://' },
]);
test('U19 command and script exclude each other (builder and builders)', rejects, doc('builder: { command: [make], script: "echo" }\nvariants:\n  foo:\n    builders:\n      - custom: { command: make, script: echo }\n'), [
  { at: '3:12 builder.command: is not allowed if "script" is declared' },
  { at: '3:29 builder.script: is not allowed if "command" is declared' },
  { at: '7:19 variants.foo.builders[0].custom.command: is not allowed if "script"' },
  { at: '7:34 variants.foo.builders[0].custom.script: is not allowed if "command"', hint: 'split' },
]);
test('O05 environment values must be strings', rejects, doc('runs: { environment: { FOO: 0, BAR: true } }\nvariants: {}\n'), [
  { at: '3:29 runs.environment.FOO: expected a string, got the number 0', hint: 'quote it: "0"' },
  { at: '3:37 runs.environment.BAR: expected a string, got the boolean true' },
]);
test('O06 single-letter environment names', rejects, doc('runs: { environment: { X: bar } }\narguments: { "1X": a }\nvariants: {}\n'), [
  { at: '3:24 runs.environment.X: "X" is not a valid environment variable name', hint: 'single-letter' },
  { at: '4:14 arguments["1X"]: "1X" is not a valid environment variable name' },
]);
test('O07 lives.in must be absolute and not /', rejects, doc('lives: { in: srv/app }\nvariants:\n  foo: { runs: { in: / } }\n'), [
  { at: '3:14 lives.in: "srv/app" is not a valid absolute non-root path', hint: '/srv/app' },
  { at: '5:22 variants.foo.runs.in: "/" is not a valid absolute non-root path' },
]);
test('O08 runs.as root and bad user names', rejects, doc('runs: { as: root }\nlives: { as: "Bad User" }\nvariants: {}\n'), [
  { at: '3:13 runs.as: "root" is not a valid user name', hint: 'insecurely' },
  { at: '4:14 lives.as: "Bad User" is not a valid user name' },
]);
test('O10 node env', rejects, doc('node: { env: prod-uction }\nvariants: {}\n'), [{ at: '3:14 node.env: "prod-uction" is not a valid Node environment name' }]);
test('O11 builders with a standalone builder at the same level', rejects, doc('node: { env: production }\nbuilders: [{ custom: { command: [make] } }]\nvariants: {}\n'), [
  { at: '4:1 builders: is not allowed together with "node" at the same level', hint: 'either' },
]);
test('O12 two python builders', rejects, doc('variants:\n  foo:\n    builders:\n      - python: { version: python3 }\n      - python: { version: python3 }\n'), [
  { at: '7:9 variants.foo.builders[1]: contains disallowed repetitions of entries: "python" already appears at builders[0]' },
]);
test('O13 unknown builder kind', rejects, doc('variants:\n  foo:\n    builders: [{ ruby: {} }]\n'), [{ at: '5:18 variants.foo.builders[0].ruby: unknown key "ruby"', hint: 'node, python, php, custom' }]);
test('O14 sharedvolume and root copies', rejects, doc('sharedvolume: true\ncopies: [local]\nvariants: {}\n'), [
  { at: '3:1 sharedvolume: unknown key "sharedvolume"', hint: 'removed' },
  { at: '4:1 copies: unknown key "copies"', hint: 'only allowed inside a variant' },
]);
test('poetry version needs a comparator', rejects, doc('python: { version: python3, requirements: [], poetry: { version: 1.5.1 } }\nvariants: {}\n'), [
  { at: '3:66 python.poetry.version: "1.5.1" is not a valid Python package version specification', hint: '==1.5.1' },
]);
test('duplicate requirements', rejects, doc('builder: { requirements: [a, b, a] }\nvariants: {}\n'), [{ at: '3:33 builder.requirements[2]: cannot contain duplicates' }]);
test('bad base image reference', rejects, doc('variants:\n  foo: { base: "Foo:Bar:baz" }\n'), [{ at: '4:16 variants.foo.base: "Foo:Bar:baz" is not a valid image reference' }]);
test('entrypoint as a string', rejects, doc('entrypoint: ./run\nvariants: {}\n'), [{ at: '3:13 entrypoint: expected a list of strings', hint: '["./run"]' }]);
test('v3 string copies in a v4 file', rejects, doc('variants:\n  foo:\n    copies: build\n'), [{ at: '5:13 variants.foo.copies: expected a list, got the string "build"', hint: 'copies: [build]' }]);
test('empty string command', rejects, doc('builder: { command: "" }\nvariants: {}\n'), [{ at: '3:21 builder.command: must not be empty' }]);
test('uid must be a number', rejects, doc('lives: { uid: "123" }\nvariants: {}\n'), [{ at: '3:15 lives.uid: expected a number, got the string "123"' }]);
test('cache access must be known', rejects, doc('builder: { caches: [{ destination: /c, access: weird }] }\nvariants: {}\n'), [{ at: '3:48 builder.caches[0].access: expected one of "shared", "private", "locked"' }]);
test('apt source without distribution, ftp url', rejects, doc('apt: { sources: [{ url: "ftp://x.example" }] }\nvariants: {}\n'), [
  { at: '3:25 apt.sources[0].url: "ftp://x.example" is not a valid HTTP/HTTPS URL' },
  { at: '3:18 apt.sources[0]: distribution: is required' },
]);
test('rules still run next to schema errors', rejects, doc('variants:\n  foo: { entrypiont: [x] }\n  bar: { runs: { as: root } }\n'), [
  { at: '4:10 variants.foo.entrypiont: unknown key' },
  { at: '5:22 variants.bar.runs.as: "root" is not a valid user name' },
]);
test('two keys in one builders entry', rejects, doc('builders: [{ node: {}, custom: {} }]\nvariants: {}\n'), [{ at: '3:12 builders[0]: a builders entry has exactly one key, got node, custom' }]);

test('broken YAML is located (commons-recon-service)', (t) => {
  const errors = errorsOf(fixture('broken-commons-recon-service.yaml'));
  t.true(errors.length > 0);
  t.is(errors[0]?.line, 6);
  t.regex(errors[0]?.message ?? '', /^invalid YAML/);
});

test('v3 corpus file: version error first, then the v3 shapes as warnings', (t) => {
  const result = loadBlubber(fixture('v3-change-propagation.yaml'), 'blubber.yaml');
  t.false(result.ok);
  if (result.ok) return;
  t.deepEqual(brief(result.errors), ['1:10 version: version v3 is not supported; devpipe reads Blubber v4']);
  t.deepEqual(brief(result.warnings), ['25:13 variants.production.copies: v3 `copies: prep` (one variant) must become a list in v4']);
});

test('YAML 1.1: a plain `.` stays a string, `yes` is a boolean', (t) => {
  const config = load(doc('runs: { insecurely: yes }\nvariants:\n  foo:\n    copies: [{ from: local, source: ., destination: . }]\n'));
  t.deepEqual(config.variants.foo?.copies, [{ from: 'local', source: '.', destination: '.' }]);
  t.is(config.runs?.insecurely, true);
});

test('shorthand forms are normalized; a null base means unset', (t) => {
  const config = load(
    doc(
      'variants:\n  test:\n    base: ~\n    builder:\n      command: "make install"\n      requirements: []\n      mounts: [local, { from: test, destination: /src/foo, source: /tmp }]\n      caches: [/var/cache/foo, { destination: /var/cache/bar, id: bar-cache, access: locked }]\n',
    ),
  );
  const builder = config.variants.test?.builder;
  t.is(config.builder, undefined);
  t.is(config.variants.test?.base, undefined);
  // U20
  t.deepEqual(builder?.command, ['make install']);
  t.deepEqual(builder?.requirements, []);
  t.deepEqual(builder?.mounts, [{ from: 'local' }, { from: 'test', destination: '/src/foo', source: '/tmp' }]);
  t.deepEqual(builder?.caches, [{ destination: '/var/cache/foo' }, { destination: '/var/cache/bar', id: 'bar-cache', access: 'locked' }]);
});

test('null environment values become "" with a warning', (t) => {
  const result = loadBlubber(doc('runs: { environment: { GRADLE_USER_HOME: ~ } }\nvariants: {}\n'), 'blubber.yaml');
  t.true(result.ok);
  if (!result.ok) return;
  t.is(result.value.runs?.environment?.GRADLE_USER_HOME, '');
  t.deepEqual(brief(result.warnings), ['3:42 runs.environment.GRADLE_USER_HOME: is null and is read as an empty string']);
});

test('a from that looks like a typo of a variant warns', (t) => {
  const result = loadBlubber(doc('variants:\n  build: {}\n  prod:\n    copies: [biuld]\n'), 'blubber.yaml');
  t.true(result.ok);
  if (!result.ok) return;
  t.is(result.warnings[0]?.hint, 'did you mean the variant "build"?');
});

test('includes may name `local` (a Blubber quirk); a variant named local warns', (t) => {
  t.notThrows(() => load(doc('variants:\n  foo:\n    includes: [local]\n')));
  const result = loadBlubber(doc('variants:\n  local: {}\n'), 'blubber.yaml');
  t.true(result.ok && result.warnings.length === 1);
});

test('valid corpus fixtures load', (t) => {
  for (const name of ['blubber-project.yaml', 'service-template-node.yaml', 'labs-striker.yaml', 'shellbox-php.yaml', 'golden.yaml', 'scratch-go.yaml', 'features.yaml']) {
    const result = loadBlubber(fixture(name), name);
    t.true(result.ok, name);
  }
});
