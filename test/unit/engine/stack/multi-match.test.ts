import test from 'ava';
import fc from 'fast-check';
import { MultiMatcher, needleForms } from '../../../../src/engine/stack/multi-match.js';

const values = [
  { name: 'api_token', value: 'tok-9f8e7d6c5b4a' },
  { name: 'db_password', value: 'p@ss "w/ord"\\x' },
  { name: 'short', value: 'k1' },
];

function feedInPieces(matcher: MultiMatcher, data: Buffer, size: number): void {
  for (let i = 0; i < data.length; i += size) matcher.feed(data.subarray(i, i + size));
}

const encodings: [string, (v: string) => string][] = [
  ['raw', (v) => v],
  ['JSON-escaped', (v) => JSON.stringify({ password: v })],
  ['URL-encoded', (v) => `https://x/?p=${encodeURIComponent(v)}&z=1`],
  ['base64 (aligned)', (v) => Buffer.from(v).toString('base64')],
  ['base64 inside a longer text (offset 1)', (v) => Buffer.from(`a${v}zz`).toString('base64')],
  ['base64 inside a longer text (offset 2)', (v) => Buffer.from(`ab${v}`).toString('base64')],
  ['base64url', (v) => Buffer.from(`user:${v}`).toString('base64url')],
  ['docker config auth (base64 of user:value)', (v) => JSON.stringify({ auths: { 'r.example': { auth: Buffer.from(`me:${v}`).toString('base64') } } })],
];

for (const [label, encode] of encodings) {
  test(`one pass finds each of several values, ${label}`, (t) => {
    for (const target of values.slice(0, 2)) {
      const matcher = new MultiMatcher(values);
      const data = Buffer.from(`header ${'x'.repeat(3000)} ${encode(target.value)} trailer`);
      // Any chunking: the state carries across boundaries.
      for (const size of [1, 7, 4096]) {
        matcher.reset();
        feedInPieces(matcher, data, size);
        t.deepEqual(matcher.found(), [target.name], `${target.name}, chunks of ${size}`);
      }
    }
  });
}

test('several values in one stream are all reported, each once', (t) => {
  const matcher = new MultiMatcher(values);
  matcher.feed(Buffer.from(`a ${values[1]!.value} b ${Buffer.from(values[0]!.value).toString('base64')} c k1 ${values[0]!.value}`));
  t.deepEqual(matcher.found(), ['api_token', 'db_password', 'short']);
});

test('encoded forms of short values are not matched (they would match by chance); the raw value is', (t) => {
  t.deepEqual(needleForms('k1').map((f) => f.form), ['raw']);
  t.true(needleForms('abcdef').some((f) => f.form === 'base64'));
  const matcher = new MultiMatcher([{ name: 'short', value: 'k1' }]);
  matcher.feed(Buffer.from(Buffer.from('k1').toString('base64')));
  t.deepEqual(matcher.found(), []);
});

test('reset forgets the previous file, search leaves the stream alone', (t) => {
  const matcher = new MultiMatcher(values);
  matcher.feed(Buffer.from('tok-9f8e7d'));
  t.deepEqual(matcher.search('x tok-9f8e7d6c5b4a y'), ['api_token']);
  matcher.reset();
  matcher.feed(Buffer.from('6c5b4a'));
  t.deepEqual(matcher.found(), []);
});

test('property: the one-pass matcher agrees with a search of each value form by itself, for any text and chunking', (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.string({ maxLength: 12 }), { maxLength: 12 }),
      fc.integer({ min: 1, max: 9 }),
      (secretValues, parts, size) => {
        const needles = secretValues.map((value, i) => ({ name: `s${i}`, value }));
        const text = Buffer.from(parts.join(''));
        const matcher = new MultiMatcher(needles);
        feedInPieces(matcher, text, size);
        const expected = needles.filter((n) => needleForms(n.value).some((f) => text.includes(f.bytes))).map((n) => n.name);
        return JSON.stringify(matcher.found()) === JSON.stringify(expected);
      },
    ),
    { seed: 16, numRuns: 300 },
  );
  t.pass();
});
