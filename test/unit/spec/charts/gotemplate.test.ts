/** devpipe's Go-template reader (what Helm's templates need), as a table of template → output. */
import test from 'ava';
import { TemplateError } from '../../../../src/spec/charts/gotemplate/lex.js';
import { loadDefines, renderTemplate } from '../../../../src/spec/charts/gotemplate/render.js';

const values = {
  Values: { app: { port: 1970 }, main_app: { name: 'eg', log: null, list: ['a', 'b'], map: { b: 2, a: 1 }, conf: { x: { y: 'z' } }, zero: 0, empty: '' } },
  Release: { Name: 'staging' },
  Chart: { Name: 'citoid' },
};

function render(template: string, defines = ''): string {
  const ctx = { defines: loadDefines([{ name: 'defs', text: defines }]).defines, missing: new Set<string>() };
  return renderTemplate(template, values, ctx);
}

const cases: [string, string, string, string?][] = [
  ['field', 'port: {{ .Values.app.port }}', 'port: 1970'],
  ['trim markers', 'a:\n  {{- " b" }}\n{{- /* c */ -}}\n  end', 'a: b  end'.replace('b  end', 'bend')],
  ['missing value prints nothing', 'x={{ .Values.main_app.nope.deeper }}', 'x='],
  ['default and quote', '{{ .Values.main_app.log | default "info" | quote }}', '"info"'],
  ['if / else if / else', '{{ if .Values.main_app.zero }}a{{ else if .Values.main_app.empty }}b{{ else }}c{{ end }}', 'c'],
  ['range over a map is sorted, with $k $v', '{{ range $k, $v := .Values.main_app.map }}{{ $k }}={{ $v }};{{ end }}', 'a=1;b=2;'],
  ['range over a list with else', '{{ range .Values.main_app.list }}[{{ . }}]{{ else }}none{{ end }}', '[a][b]'],
  ['with changes dot', '{{ with .Values.main_app.conf.x }}{{ .y }}{{ end }}', 'z'],
  ['toYaml | nindent', 'conf:{{ toYaml .Values.main_app.conf | nindent 2 }}', 'conf:\n  x:\n    y: z'],
  ['variables and printf, trunc, trimSuffix', '{{ $n := printf "%s-%s" .Chart.Name .Release.Name }}{{ $n | trunc 9 | trimSuffix "-" }}', 'citoid-st'],
  ['and/or return operands', '{{ or .Values.main_app.empty "fallback" }} {{ and 1 .Values.main_app.zero }}', 'fallback 0'],
  ['raw strings keep braces', "{{ `{{request.params.domain}}` }}", '{{request.params.domain}}'],
  ['hasKey, not, kindIs, empty', '{{ hasKey .Values.main_app "name" }} {{ not .Values.main_app.zero }} {{ kindIs "invalid" .Values.main_app.log }} {{ empty .Values.main_app.list }}', 'true true true false'],
  ['template and include a define', '{{ template "name" . }}/{{ include "name" . | upper }}', 'citoid-staging/CITOID-STAGING', '{{- define "name" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end -}}'],
  ['an unknown define renders nothing', '[{{ include "mesh.deployment.container" . }}]', '[]'],
  ['dict and toJson', '{{ toJson (dict "a" 1 "b" .Values.main_app.list) }}', '{"a":1,"b":["a","b"]}'],
];

for (const [name, template, expected, defines] of cases) {
  test(`renders: ${name}`, (t) => {
    t.is(render(template, defines), expected);
  });
}

test('an unsupported function is an error naming it and the line', (t) => {
  const error = t.throws(() => render('a\n{{ frobnicate .Values.x }}'), { instanceOf: TemplateError });
  t.regex(error?.message ?? '', /line 2: function "frobnicate" is not supported/);
});

test('fail and required stop rendering with their message', (t) => {
  t.throws(() => render('{{ fail "no releases defined" }}'), { message: /no releases defined/ });
  t.throws(() => render('{{ required "port is required" .Values.nope }}'), { message: /port is required/ });
});

test('unclosed blocks and actions are errors, not output', (t) => {
  t.throws(() => render('{{ if .Values.app }}x'), { message: /unclosed/ });
  t.throws(() => render('{{ .Values.app'), { message: /unclosed action/ });
});

/** A small seeded PRNG (mulberry32): the same mutations on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

test('fuzz: mutated chart templates render or fail with a TemplateError, never anything else (seeded, 2000 cases)', async (t) => {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const { repoRoot } = await import('../../../helpers/cli.js');
  const sources = await Promise.all(
    ['charts/eventgate/templates/_config.yaml', 'charts/kask/templates/deployment.yaml', 'charts/mobileapps/templates/_config.yaml'].map((f) => readFile(path.join(repoRoot, 'test/fixtures/staging-charts', f), 'utf8')),
  );
  const random = prng(18);
  const pieces = ['{{', '}}', '{{-', '-}}', '|', '(', ')', '"', '`', '$', '.', ' end ', ' if ', ' range ', ':=', '/*', '*/', ' else '];
  let errors = 0;
  for (let i = 0; i < 2000; i++) {
    let text = sources[i % sources.length] ?? '';
    for (let k = 0; k < 3; k++) {
      const at = Math.floor(random() * text.length);
      const cut = Math.floor(random() * 6);
      text = text.slice(0, at) + (random() < 0.6 ? pieces[Math.floor(random() * pieces.length)] : '') + text.slice(at + cut);
    }
    try {
      const ctx = { defines: loadDefines([{ name: 'x', text }]).defines, missing: new Set<string>() };
      t.is(typeof renderTemplate(text, values, ctx), 'string');
    } catch (error) {
      errors++;
      if (!(error instanceof TemplateError)) t.fail(`case ${i}: ${String(error)}\n${text}`);
    }
  }
  t.true(errors > 0, 'some mutations are rejected');
});
