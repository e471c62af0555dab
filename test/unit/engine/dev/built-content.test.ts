import test from 'ava';
import { BuiltContent } from '../../../../src/engine/dev/built-content.js';

function setup() {
  const files = new Map<string, string | undefined>([['a', 'h1'], ['b', 'h2']]);
  const content = new BuiltContent({ of: async (file) => (files.has(file) ? files.get(file) : 'missing') });
  return { files, content };
}

test('what was built successfully, saved again unchanged, is not a change; a new content is', async (t) => {
  const { files, content } = setup();
  const first = await content.changed(['a', 'b']);
  t.deepEqual([...first], [['a', 'h1'], ['b', 'h2']], 'nothing built yet: every file changed');
  content.begin(first);
  t.deepEqual([...(await content.changed(['a']))], [], 'the running iteration builds this content already');
  content.end(true);
  t.deepEqual([...(await content.changed(['a', 'b']))], []);
  files.set('a', 'h3');
  t.deepEqual([...(await content.changed(['a', 'b']))], [['a', 'h3']]);
  files.delete('b');
  t.deepEqual([...(await content.changed(['b']))], [['b', 'missing']], 'a deleted file changed');
});

test('after a failed or cancelled iteration the same content is tried again; unreadable files always count', async (t) => {
  const { files, content } = setup();
  content.begin(await content.changed(['a']));
  content.end(false);
  t.deepEqual([...(await content.changed(['a']))], [['a', 'h1']]);
  files.set('a', undefined);
  content.begin(await content.changed(['a']));
  content.end(true);
  t.deepEqual([...(await content.changed(['a']))], [['a', undefined]], 'no fingerprint: never skipped');
});
