import test from 'ava';
import { envFile, mountTrust, runWithTrust, TRUST_CONTEXT_DIR, TrustingImageBuilder, withTrust, type HostTrust } from '../../../src/engine/trust.js';
import type { BuildRequest } from '../../../src/ports.js';
import { FakeImageBuilder, FakeImageStore } from '../../fakes/images.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIcanary\n-----END CERTIFICATE-----\n';
const trust: HostTrust = { bundle: PEM, bundlePath: '/tmp/devpipe-trust/x.pem', source: 'test', proxies: { HTTPS_PROXY: 'http://proxy:3128' }, indexes: { PIP_INDEX_URL: 'https://pypi.example/simple' } };
const request = (dockerfile: string, sendProject = false): BuildRequest => ({ contextDir: '/tmp/x', dockerfile, tags: [], sendProject, buildArgs: { A: '1' } });

const dockerfile = [
  'FROM debian:bookworm-slim AS app',
  'RUN apt-get update && apt-get install -y nodejs',
  'RUN --mount=type=cache,target=/root/.npm,id=x npm install',
  'RUN ["/bin/true"]',
  'COPY [".devpipe-context/local/", "./"]',
  'ENTRYPOINT ["node"]',
].join('\n');

test('every shell-form RUN mounts the trust files and sources the env file; exec form and other lines stay', (t) => {
  const { dockerfile: out, runs } = mountTrust(dockerfile);
  t.is(runs, 2);
  const lines = out.split('\n');
  t.is(lines[1], `RUN --mount=type=bind,source=${TRUST_CONTEXT_DIR},target=/mnt . /mnt/env; apt-get update && apt-get install -y nodejs`);
  t.is(lines[2], `RUN --mount=type=cache,target=/root/.npm,id=x --mount=type=bind,source=${TRUST_CONTEXT_DIR},target=/mnt . /mnt/env; npm install`);
  t.is(lines[3], 'RUN ["/bin/true"]');
  t.is(lines[4], dockerfile.split('\n')[4]);
});

test('the exec-form sh -c RUN the compiler writes gets the trust too; shell form starting with [ is shell form', (t) => {
  const { dockerfile: out, runs } = mountTrust(['RUN ["/bin/sh", "-c", "echo \\"one\\"\\necho two"]', 'RUN [ -f x ] || echo "no x"', 'RUN ["node", "-e", "1"]', 'RUN a \\', '  b'].join('\n'));
  t.is(runs, 2);
  const lines = out.split('\n');
  t.is(lines[0], `RUN --mount=type=bind,source=${TRUST_CONTEXT_DIR},target=/mnt ["/bin/sh", "-c", ". /mnt/env; echo \\"one\\"\\necho two"]`);
  t.is(lines[1], `RUN --mount=type=bind,source=${TRUST_CONTEXT_DIR},target=/mnt . /mnt/env; [ -f x ] || echo "no x"`);
  t.is(lines[2], 'RUN ["node", "-e", "1"]');
  t.is(lines[3], 'RUN a \\');
});

test('withTrust: bundle and env file as context entries, proxies as predefined build args, BuildKit on; no value in the Dockerfile', (t) => {
  const out = withTrust(request(dockerfile), trust);
  t.true(out.buildkit);
  t.deepEqual(out.buildArgs, { HTTPS_PROXY: 'http://proxy:3128', A: '1' });
  const files = Object.fromEntries((out.extraEntries ?? []).map((e) => [e.path, e.kind === 'file' ? e.content : '']));
  t.is(files[`${TRUST_CONTEXT_DIR}/ca.pem`], PEM);
  t.regex(files[`${TRUST_CONTEXT_DIR}/env`] ?? '', /SSL_CERT_FILE='\/mnt\/ca.pem'/);
  t.regex(files[`${TRUST_CONTEXT_DIR}/env`] ?? '', /NODE_EXTRA_CA_CERTS=.*PIP_INDEX_URL='https:\/\/pypi.example\/simple'.*npm_config_cafile=/s);
  t.false(out.dockerfile.includes('SSL_CERT_FILE'));
  t.false(out.dockerfile.includes('pypi.example'));
  t.false(out.dockerfile.includes('MIIcanary'));
});

test('withTrust: nothing to pass → the request unchanged; a build sending the project at the root gets the proxies only', (t) => {
  const r = request(dockerfile);
  t.is(withTrust(r, { proxies: {}, indexes: {} }), r);
  const project = withTrust(request(dockerfile, true), trust);
  t.is(project.dockerfile, dockerfile);
  t.is(project.extraEntries, undefined);
  t.is(project.buildArgs?.HTTPS_PROXY, 'http://proxy:3128');
});

test('env file values are single-quoted for sh', (t) => {
  t.is(envFile({ B: "it's", A: 'x y' }), `export A='x y' B='it'\\''s'\n`);
  t.is(envFile({}), ':\n');
});

test('the content digest (and so the tag) does not depend on the trust', async (t) => {
  const store = new FakeImageStore();
  const inner = new FakeImageBuilder(store);
  // A digest of what the request would send, as the engine adapter computes it.
  (inner as { contextDigest: (r: BuildRequest) => Promise<string> }).contextDigest = async (r: BuildRequest) => JSON.stringify([r.dockerfile, r.extraEntries ?? []]);
  const builder = new TrustingImageBuilder(inner, async () => trust);
  const r = request(dockerfile);
  t.is(await builder.contextDigest(r), JSON.stringify([r.dockerfile, []]), 'the digest of the request without the trust');
  await builder.build({ ...r, tags: ['x:1'] });
  t.true(inner.builds[0]!.dockerfile.includes('. /mnt/env;'));
});

test('runWithTrust: the bundle is bind-mounted read-only and the variables point at it; the request env wins', (t) => {
  const out = runWithTrust({ image: 'x', env: { PIP_INDEX_URL: 'mine' } }, trust);
  t.deepEqual(out.binds, [{ host: '/tmp/devpipe-trust/x.pem', container: '/run/devpipe-trust/ca.pem' }]);
  t.is(out.env?.SSL_CERT_FILE, '/run/devpipe-trust/ca.pem');
  t.is(out.env?.NODE_EXTRA_CA_CERTS, '/run/devpipe-trust/ca.pem');
  t.is(out.env?.HTTPS_PROXY, 'http://proxy:3128');
  t.is(out.env?.PIP_INDEX_URL, 'mine');
});
