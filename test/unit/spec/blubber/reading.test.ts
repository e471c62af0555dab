/**
 * Blubber's exact reading (issue 13, items 1, 2, 4, 5): yaml.v2 via ghodss/yaml, the JSON schema
 * on the raw document, then Go's decoders. Each case is the smallest file that shows the rule;
 * the expected verdicts were checked against yaml.v2 v2.4.0 + ghodss/yaml and Blubber's
 * api/config.schema.json and config/*.go (see docs/blubber.md, "Same verdict as CI").
 */
import test, { type ExecutionContext } from 'ava';
import { loadBlubber } from '../../../../src/spec/blubber/index.js';
import { brief, compile, doc, load } from './support.js';

function result(yaml: string) {
  return loadBlubber(yaml, 'blubber.yaml');
}

// ---- 1. nulls: refused except where Blubber's schema allows null ------------------------------

const refusesNull = test.macro({
  exec(t: ExecutionContext, yaml: string, at: string, write: string | undefined) {
    const loaded = result(yaml);
    t.false(loaded.ok, 'Blubber refuses this file');
    if (loaded.ok) return;
    const lines = brief(loaded.errors);
    const index = lines.findIndex((line) => line.startsWith(at));
    t.true(index >= 0, `missing "${at}" in:\n${lines.join('\n')}`);
    const issue = loaded.errors[index]!;
    t.regex(issue.message, /got null .*Blubber's schema refuses null here/);
    t.true((issue.hint ?? '').startsWith('remove the key'), issue.hint);
    if (write) t.true((issue.hint ?? '').includes(write), issue.hint);
  },
  title: (title = '') => `null refused: ${title}`,
});

test('a variant section `runs:` (corpus: labs-libraryupgrader)', refusesNull, doc('variants:\n  web:\n    runs:\n    copies: [local]\n'), '5:10 variants.web.runs: expected a mapping', '`{}`');
test('`builder:` in a variant (corpus: example-node-api)', refusesNull, doc('variants:\n  build:\n    builder:\n    runs: { environment: { LINK: g++ } }\n'), '5:13 variants.build.builder: expected a mapping', '`{}`');
test('`lives:` at the root', refusesNull, doc('lives:\nvariants: {}\n'), '3:7 lives: expected a mapping', '`{}`');
test('`apt:` at the root', refusesNull, doc('apt:\nvariants: {}\n'), '3:5 apt: expected a mapping', '`{}`');
test('a variant with nothing under it', refusesNull, doc('variants:\n  app:\n'), '4:7 variants.app: expected a mapping', '`{}`');
test('`variants:` itself', refusesNull, doc('variants:\n'), '3:10 variants: expected a mapping', '`{}`');
test('`copies:` in a variant', refusesNull, doc('variants:\n  app:\n    copies:\n'), '5:12 variants.app.copies: expected a list', '`[]`');
test('`entrypoint: ~`', refusesNull, doc('entrypoint: ~\nvariants: {}\n'), '3:13 entrypoint: expected a list', '`[]`');
test('`apt.packages:`', refusesNull, doc('apt:\n  packages:\nvariants: {}\n'), '4:12 apt.packages: expected a list or a mapping', undefined);
test('`node.requirements:`', refusesNull, doc('node:\n  requirements:\nvariants: {}\n'), '4:16 node.requirements: expected a list', '`[]`');
test('a null list item', refusesNull, doc('variants:\n  app:\n    includes: [~]\n'), '5:16 variants.app.includes[0]: expected a string', undefined);
test('`runs.as: ~` (a string field)', refusesNull, doc('runs:\n  as: ~\nvariants: {}\n'), '4:7 runs.as: expected a string', undefined);

test('null allowed by the schema: `base: ~` is scratch (unset)', (t) => {
  const config = load('version: v4\nbase: ~\nvariants:\n  app: { base: ~, copies: [local] }\n');
  t.is(config.base, undefined);
  t.is(config.variants.app?.base, undefined);
  t.true(compile('version: v4\nbase: ~\nvariants:\n  app: { copies: [local] }\n', 'app').dockerfile.includes('FROM scratch'));
});

test('null allowed by the schema: `from: ~` passes the schema, then "from" is required (Go reads "")', (t) => {
  const loaded = result(doc('variants:\n  app:\n    copies: [{ from: ~, source: x }]\n'));
  t.false(loaded.ok);
  if (loaded.ok) return;
  t.deepEqual(brief(loaded.errors), ['5:22 variants.app.copies[0].from: is required']);
});

test('null allowed by the schema: environment and argument values read as "" with a warning', (t) => {
  const loaded = result(doc('arguments: { VERSION: ~ }\nruns: { environment: { CACHE: ~ } }\nvariants: {}\n'));
  t.true(loaded.ok);
  if (!loaded.ok) return;
  t.deepEqual(loaded.value.runs?.environment, { CACHE: '' });
  t.deepEqual(loaded.value.arguments, { VERSION: '' });
  t.deepEqual(brief(loaded.warnings), ['3:23 arguments.VERSION: is null and is read as an empty string', '4:31 runs.environment.CACHE: is null and is read as an empty string']);
});

// ---- 2. copies: all strings or all objects; requirements may mix -------------------------------

test('copies mixing names and entries is refused, located, with the rewrite', (t) => {
  const loaded = result(doc('variants:\n  build: {}\n  app:\n    copies: [local, { from: build, source: /srv/app/dist }]\n'));
  t.false(loaded.ok);
  if (loaded.ok) return;
  t.is(loaded.errors.length, 1);
  t.regex(brief(loaded.errors)[0]!, /^6:13 variants\.app\.copies: mixes variant names and \{from: …\} entries/);
  t.regex(loaded.errors[0]!.hint ?? '', /- from: local/);
});

test('copies of all names or all entries are accepted', (t) => {
  t.deepEqual(load(doc('variants:\n  build: {}\n  app: { copies: [local, build] }\n')).variants.app?.copies, [{ from: 'local' }, { from: 'build' }]);
  t.deepEqual(load(doc('variants:\n  build: {}\n  app: { copies: [{ from: local }, { from: build, source: /x }] }\n')).variants.app?.copies, [{ from: 'local' }, { from: 'build', source: '/x' }]);
});

test('requirements, mounts and caches may mix both forms (unmarshalShorthand)', (t) => {
  const config = load(doc('variants:\n  deps: {}\n  app:\n    builder:\n      command: [make]\n      requirements: [Makefile, { from: deps, source: /d }]\n      mounts: [local, { from: deps, destination: /deps }]\n      caches: [/root/.cache, { destination: /tmp/c, id: c }]\n'));
  const builder = config.variants.app?.builder;
  t.deepEqual(builder?.requirements, [{ from: 'local', source: 'Makefile' }, { from: 'deps', source: '/d' }]);
  t.deepEqual(builder?.mounts, [{ from: 'local' }, { from: 'deps', destination: '/deps' }]);
  t.deepEqual(builder?.caches, [{ destination: '/root/.cache' }, { destination: '/tmp/c', id: 'c' }]);
});

// ---- 5. unknown keys inside copies / requirements / apt.proxies entries: warnings ---------------

test('an unknown key in a copies entry is a located warning with a suggestion, and is ignored', (t) => {
  const loaded = result(doc('variants:\n  app:\n    copies:\n      - from: local\n        sorce: src/\n'));
  t.true(loaded.ok);
  if (!loaded.ok) return;
  t.deepEqual(loaded.value.variants.app?.copies, [{ from: 'local' }]);
  t.deepEqual(brief(loaded.warnings), ['7:9 variants.app.copies[0].sorce: unknown key "sorce" in a copies entry is ignored by Blubber']);
  t.is(loaded.warnings[0]?.hint, 'did you mean "source"?');
  t.is(loaded.warnings[0]?.severity, 'warning');
});

test('unknown keys in requirements, apt.proxies, mounts and caches entries are warnings', (t) => {
  const loaded = result(
    doc(
      'apt:\n  proxies:\n    - { url: "http://proxy:8080", sorce: "http://deb.debian.org" }\nvariants:\n  app:\n    builder:\n      command: [make]\n      requirements: [{ from: local, source: a, destinaton: b }]\n      mounts: [{ from: local, destiantion: /x }]\n      caches: [{ destination: /c, acess: locked }]\n',
    ),
  );
  t.true(loaded.ok, loaded.ok ? '' : brief(loaded.errors).join('\n'));
  if (!loaded.ok) return;
  t.deepEqual(
    loaded.warnings.map((w) => `${w.path} ${w.hint}`),
    [
      'apt.proxies[0].sorce did you mean "source"?',
      'variants.app.builder.requirements[0].destinaton did you mean "destination"?',
      'variants.app.builder.mounts[0].destiantion did you mean "destination"?',
      'variants.app.builder.caches[0].acess did you mean "access"?',
    ],
  );
  t.deepEqual(loaded.value.apt?.proxies, [{ url: 'http://proxy:8080' }]);
});

test('unknown keys elsewhere (a builder, a variant) stay errors: Blubber decodes them strictly', (t) => {
  const loaded = result(doc('variants:\n  app:\n    builder: { comand: [make] }\n'));
  t.false(loaded.ok);
  if (loaded.ok) return;
  t.deepEqual(brief(loaded.errors), ['5:16 variants.app.builder.comand: unknown key "comand"']);
});
