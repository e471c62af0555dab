import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { hostTrustMode, mergeBundles, resolveHostTrust } from '../../../src/host/trust.js';
import { emptySettings, loadUserSettings, aliasFor } from '../../../src/spec/settings/index.js';

const cert = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;

test('mergeBundles keeps each certificate once, in order', (t) => {
  t.is(mergeBundles([`${cert('A')}\n${cert('B')}\n`, `junk\n${cert('B')}\n${cert('C')}`]), `${cert('A')}\n${cert('B')}\n${cert('C')}\n`);
  t.is(mergeBundles(['no certificates']), '');
});

test('host trust: auto follows SSL_CERT_FILE-style variables; DEVPIPE_HOST_TRUST and settings decide otherwise', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'trust-'));
  const extra = path.join(dir, 'extra.pem');
  await writeFile(extra, `${cert('EXTRA')}\n`);
  const configured = await resolveHostTrust({ env: { NODE_EXTRA_CA_CERTS: extra }, settings: emptySettings, cwd: dir });
  t.true(configured.bundle?.includes('EXTRA'));
  t.regex(configured.source ?? '', /NODE_EXTRA_CA_CERTS/);
  const off = await resolveHostTrust({ env: { NODE_EXTRA_CA_CERTS: extra, DEVPIPE_HOST_TRUST: 'off' }, settings: emptySettings, cwd: dir });
  t.is(off.bundle, undefined);
  const none = await resolveHostTrust({ env: { HTTPS_PROXY: 'http://p:1', GOPROXY: 'https://goproxy.example', NPM_CONFIG_REGISTRY: 'https://npm.example/' }, settings: emptySettings, cwd: dir });
  t.is(none.bundle, undefined);
  t.deepEqual(none.proxies, { HTTPS_PROXY: 'http://p:1' });
  t.deepEqual(none.indexes, { GOPROXY: 'https://goproxy.example', npm_config_registry: 'https://npm.example/' });
  t.is(hostTrustMode({}, { ...emptySettings, hostTrust: false }), 'off');
  t.is(hostTrustMode({ DEVPIPE_HOST_TRUST: 'on' }, { ...emptySettings, hostTrust: false }), 'on');
  t.throws(() => hostTrustMode({ DEVPIPE_HOST_TRUST: 'maybe' }, emptySettings), { message: /DEVPIPE_HOST_TRUST=maybe/ });
});

test('--ca-file: added to the bundle; a file that is not PEM is a usage error naming the flag', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'trust-'));
  await writeFile(path.join(dir, 'corp.pem'), `${cert('CORP')}\n`);
  await writeFile(path.join(dir, 'bad.pem'), 'hello');
  const trust = await resolveHostTrust({ env: { DEVPIPE_HOST_TRUST: 'off' }, settings: emptySettings, caFile: 'corp.pem', cwd: dir });
  t.is(trust.bundle, `${cert('CORP')}\n`);
  t.truthy(trust.bundlePath);
  const error = await t.throwsAsync(resolveHostTrust({ env: {}, settings: emptySettings, caFile: 'bad.pem', cwd: dir }));
  t.regex(error?.message ?? '', /--ca-file: .*bad\.pem is not a readable PEM file/);
  t.is((error as { kind?: string }).kind, 'usage');
});

test('settings file: located errors; image aliases match with or without a tag', (t) => {
  const bad = loadUserSettings('host_trust: sometimes\nimages: {a: ""}\n', '/home/u/.config/devpipe/settings.yaml');
  t.false(bad.ok);
  if (!bad.ok) t.true(bad.errors.some((e) => e.path === 'host_trust' && e.line === 1));
  const good = loadUserSettings('images:\n  docker-registry.wikimedia.org/nodejs20-slim: my/node20\n  x:1: y:2\n', 'f');
  t.true(good.ok);
  if (!good.ok) return;
  t.is(aliasFor('docker-registry.wikimedia.org/nodejs20-slim:latest', good.value.images), 'my/node20');
  t.is(aliasFor('docker-registry.wikimedia.org/nodejs20-slim', good.value.images), 'my/node20');
  t.is(aliasFor('x:1', good.value.images), 'y:2');
  t.is(aliasFor('x:2', good.value.images), undefined);
});
