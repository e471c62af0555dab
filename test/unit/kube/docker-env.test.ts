/**
 * `minikube docker-env` gives DOCKER_HOST=tcp://…:2376 with DOCKER_TLS_VERIFY=1 and
 * DOCKER_CERT_PATH; Context.dockerAt applies them over the context's env and calls findEngine.
 * A regression test: fromHost once read DOCKER_TLS_VERIFY and DOCKER_CERT_PATH from process.env
 * instead of the env it was given, so the TLS endpoint was dialled as plain http.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { findEngine } from '../../../src/docker/connect.js';

test('findEngine honours DOCKER_TLS_VERIFY / DOCKER_CERT_PATH from the env it is given (minikube docker-env)', async (t) => {
  const certs = await mkdtemp(path.join(tmpdir(), 'devpipe-certs-'));
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) await writeFile(path.join(certs, f), `fake ${f}`);
  const endpoint = findEngine({ DOCKER_HOST: 'tcp://192.168.49.2:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs, MINIKUBE_ACTIVE_DOCKERD: 'minikube' });
  t.is(endpoint.options.protocol, 'https');
  t.truthy(endpoint.options.ca);
});
