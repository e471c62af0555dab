/** Issue 15, item 4: ports and pinned image references are validated in the spec, located. */
import { readFileSync, readdirSync } from 'node:fs';
import test from 'ava';
import { formatIssue } from '../../../../src/spec/issues.js';
import { loadStack } from '../../../../src/spec/stack/index.js';
import { imageRefProblem } from '../../../../src/spec/stack/image-ref.js';

const builtins = readdirSync('profiles').map((n) => ({ name: n.replace(/\.yaml$/, ''), file: `profiles/${n}`, text: readFileSync(`profiles/${n}`, 'utf8') }));
const load = (image: string, port: string) =>
  loadStack(`version: v1\nservices:\n  a:\n    image: ${image}\n    ports: [${port}]\n`, '.pipeline/devpipe.yaml', { directoryName: 'p', builtins });

const refused = test.macro({
  exec(t, image: string, port: string, where: string, message: RegExp) {
    const result = load(image, port);
    if (result.ok) return t.fail('expected exit 2');
    const text = result.errors.map(formatIssue).join('\n');
    t.true(text.startsWith(`.pipeline/devpipe.yaml:${where} `), text);
    t.regex(text, message);
  },
  title: (provided = '') => `refused: ${provided}`,
});

test('"H:0"', refused, 'busybox:stable', '"H:0"', '5:13', /expected `CONTAINER` or `HOST:CONTAINER`/);
test('"28096:99999"', refused, 'busybox:stable', '"28096:99999"', '5:13', /"28096:99999": a port is a number from 1 to 65535/);
test('"0:8080"', refused, 'busybox:stable', '"0:8080"', '5:13', /"0:8080": a port is a number from 1 to 65535/);
test('"8080:0"', refused, 'busybox:stable', '"8080:0"', '5:13', /a port is a number from 1 to 65535/);
test('{container: 0}', refused, 'busybox:stable', '{container: 0}', '5:25', /at least 1/);
test('Busybox:Stable', refused, 'Busybox:Stable', '8080', '4:12', /"Busybox:Stable" is not a valid image reference: the repository name must be lowercase/);
test('busybox:has space', refused, '"busybox:has space"', '8080', '4:12', /no spaces/);
test('-rf', refused, '"-rf"', '8080', '4:12', /cannot start with "-"/);
test('a tag with a slash', refused, 'busybox:a/b', '8080', '4:12', /not a valid image reference/);

const valid = test.macro({
  exec(t, ref: string) {
    t.is(imageRefProblem(ref), undefined);
  },
  title: (provided = '') => `a valid reference: ${provided}`,
});

test('short', valid, 'busybox');
test('tagged', valid, 'busybox:stable');
test('registry with a port', valid, 'localhost:5000/team/app:1.0');
test('wikimedia production tag', valid, 'docker-registry.wikimedia.org/wikimedia/mediawiki-services-foo:2024-01-01-000000-production');
test('digest', valid, `debian@sha256:${'a'.repeat(64)}`);
test('underscores and dots', valid, 'my_repo.name/sub__path:v1.2_3');

test('ports 1 and 65535 and HOST:CONTAINER load', (t) => {
  t.true(load('busybox:stable', '1, 65535, "18080:8080", {container: 80, host: 8080}').ok);
});
