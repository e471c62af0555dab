import test from 'ava';
import { replacedEnv, replacedLabels } from '../../../src/docker/container-replace.js';

test('env: the new image env, with what the stack set kept over it', (t) => {
  const oldImage = ['PATH=/usr/bin', 'HOME=/home/runuser', 'MODE=old'];
  const container = ['PATH=/usr/bin', 'HOME=/home/runuser', 'MODE=old', 'GREETING=hi', 'HOME_OVERRIDE=1'];
  const newImage = ['PATH=/usr/bin', 'HOME=/home/runuser', 'MODE=new', 'ADDED=yes'];
  t.deepEqual(replacedEnv(container, oldImage, newImage), ['PATH=/usr/bin', 'HOME=/home/runuser', 'MODE=new', 'ADDED=yes', 'GREETING=hi', 'HOME_OVERRIDE=1']);
  t.deepEqual(replacedEnv(['MODE=stack'], ['MODE=old'], ['MODE=new']), ['MODE=stack'], 'a value the stack set wins over the image');
});

test('labels: the new image labels, with the stack labels kept', (t) => {
  t.deepEqual(
    replacedLabels({ 'devpipe.content-hash': 'old', 'com.docker.compose.service': 'web' }, { 'devpipe.content-hash': 'old' }, { 'devpipe.content-hash': 'new' }),
    { 'devpipe.content-hash': 'new', 'com.docker.compose.service': 'web' },
  );
  t.deepEqual(
    replacedLabels({ 'devpipe.project': 'stack', 'devpipe.service': 'web' }, { 'devpipe.project': 'stack' }, { 'devpipe.project': 'other' }),
    { 'devpipe.project': 'stack', 'devpipe.service': 'web' },
    'the stack\'s own labels stay, even when an image carries the same key',
  );
});
