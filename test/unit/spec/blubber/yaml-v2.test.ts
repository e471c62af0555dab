/**
 * Issue 13 item 4: YAML that Go's yaml.v2 (through ghodss/yaml) accepts is accepted, with the
 * values Go sees; what yaml.v2 refuses keeps a located error. Expected values were checked with
 * yaml.v2 v2.4.0 + ghodss/yaml (the versions in Blubber's go.mod).
 */
import test from 'ava';
import { loadBlubber } from '../../../../src/spec/blubber/index.js';
import { brief, compile, doc, load } from './support.js';

test('a flow sequence continued at the key\'s indentation (corpus: liftwing articlequality)', (t) => {
  const yaml = doc('variants:\n  build:\n    builder:\n      command: ["python3", "-m",\n      "nltk.downloader", "omw"]\n    copies: [local]\n');
  t.deepEqual(load(yaml).variants.build?.builder?.command, ['python3', '-m', 'nltk.downloader', 'omw']);
});

test('a flow mapping continued at column 1; positions after it are the file\'s own', (t) => {
  const loaded = loadBlubber(doc('variants:\n  app: {copies: [{from: local,\nsorce: x}]}\n'), 'blubber.yaml');
  t.true(loaded.ok);
  if (!loaded.ok) return;
  t.deepEqual(brief(loaded.warnings), ['5:1 variants.app.copies[0].sorce: unknown key "sorce" in a copies entry is ignored by Blubber']);
});

test('a block scalar and a quoted string that contain brackets are left alone', (t) => {
  const config = load(doc('variants:\n  app:\n    builder:\n      script: |\n        echo [\n      requirements: ["a[1"]\n'));
  t.is(config.variants.app?.builder?.script, 'echo [\n');
  t.deepEqual(config.variants.app?.builder?.requirements, [{ from: 'local', source: 'a[1' }]);
});

test('duplicate keys: the last wins, with a warning naming both locations', (t) => {
  const loaded = loadBlubber('version: v4\nbase: debian:buster\nvariants:\n  app: {}\nbase: debian:bookworm\n', 'blubber.yaml');
  t.true(loaded.ok);
  if (!loaded.ok) return;
  t.is(loaded.value.base, 'debian:bookworm');
  t.deepEqual(brief(loaded.warnings), ['5:1 base: duplicate key "base": this definition replaces the one at line 2, col 1 (Blubber (Go yaml.v2) keeps the last)']);
});

test('duplicate keys in a nested mapping: later positions point at the surviving value', (t) => {
  const loaded = loadBlubber(doc('variants:\n  app:\n    runs: { as: nobody }\n    runs: { as: root }\n'), 'blubber.yaml');
  t.false(loaded.ok);
  if (loaded.ok) return;
  t.deepEqual(brief(loaded.errors), ['6:17 variants.app.runs.as: "root" is not a valid user name']);
  t.deepEqual(brief(loaded.warnings), ['6:5 variants.app.runs: duplicate key "runs": this definition replaces the one at line 5, col 5 (Blubber (Go yaml.v2) keeps the last)']);
});

test('a second document after `---` is ignored (yaml.v2 reads the first), with a warning', (t) => {
  const loaded = loadBlubber(doc('variants:\n  app: {}\n---\nversion: v3\n'), 'blubber.yaml');
  t.true(loaded.ok);
  if (!loaded.ok) return;
  t.deepEqual(Object.keys(loaded.value.variants), ['app']);
  t.deepEqual(brief(loaded.warnings), ['5:1 : a second YAML document starts here; Blubber (Go yaml.v2) reads only the first, so everything from here on is ignored']);
});

test('YAML 1.1 scalars as env values are the strings Go sees: timestamps and sexagesimals', (t) => {
  const yaml = doc('runs:\n  environment:\n    RELEASED: 2024-01-31\n    AT: 2024-01-31 10:00:00\n    PORTS: 8080:80\n    TIME: 1:20\nvariants:\n  app: {}\n');
  t.deepEqual(load(yaml).runs?.environment, { RELEASED: '2024-01-31', AT: '2024-01-31 10:00:00', PORTS: '8080:80', TIME: '1:20' });
  t.true(compile(yaml, 'app').dockerfile.includes('RELEASED="2024-01-31"'));
});

const notString = test.macro({
  exec(t, value: string, got: string) {
    const loaded = loadBlubber(doc(`runs:\n  environment:\n    X1: ${value}\nvariants: {}\n`), 'blubber.yaml');
    t.false(loaded.ok, `${value} is not a string to Go`);
    if (loaded.ok) return;
    t.deepEqual(brief(loaded.errors), [`5:9 runs.environment.X1: expected a string, got ${got}`]);
    t.true((loaded.errors[0]?.hint ?? '').includes(`quote it: "${value}"`));
  },
  title: (_title, value: string) => `env value ${value} is refused as Go sees it (not a string)`,
});
test(notString, 'y', 'the boolean true');
test(notString, 'N', 'the boolean false');
test(notString, 'off', 'the boolean false');
test(notString, '1e3', 'the number 1000');
test(notString, '0o17', 'the number 15');
test(notString, '0x1F', 'the number 31');
test(notString, '010', 'the number 8');
test(notString, '1_000', 'the number 1000');

test('.inf cannot become JSON: the file is refused (ghodss: "json: unsupported value")', (t) => {
  const loaded = loadBlubber(doc('lives: { uid: .inf }\nvariants: {}\n'), 'blubber.yaml');
  t.false(loaded.ok);
  if (loaded.ok) return;
  t.deepEqual(brief(loaded.errors), ['3:15 lives.uid: Infinity (YAML .inf/.nan) cannot be converted to JSON, so Blubber refuses the file']);
});

test('what yaml.v2 refuses keeps a located error: a mapping under a plain scalar (corpus: commons-recon-service)', (t) => {
  const loaded = loadBlubber('version: v4\nbase: docker-registry.wikimedia.org/wikimedia-stretch\n  apt:\n    packages: [python3]\n', 'blubber.yaml');
  t.false(loaded.ok);
  if (loaded.ok) return;
  t.true(loaded.errors.length > 0 && loaded.errors.every((e) => e.line === 2 && e.message.startsWith('invalid YAML')), brief(loaded.errors).join('\n'));
});

test('what yaml.v2 refuses keeps a located error: an unclosed flow sequence', (t) => {
  const loaded = loadBlubber(doc('variants:\n  app: { copies: [local }\n'), 'blubber.yaml');
  t.false(loaded.ok);
  if (loaded.ok) return;
  t.true(loaded.errors[0]!.line >= 4 && loaded.errors[0]!.message.startsWith('invalid YAML'), brief(loaded.errors).join('\n'));
});
