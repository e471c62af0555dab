import test from 'ava';
import { chooseDelivery, loadImages } from '../../../../src/engine/kube/delivery.js';
import { EventBus } from '../../../../src/engine/events.js';
import { DevpipeError } from '../../../../src/errors.js';
import { MinikubeCli } from '../../../../src/kube/minikube.js';
import { FakeCluster } from '../../../fakes/kube/cluster.js';

const cases: [string, Parameters<typeof chooseDelivery>[0], ReturnType<typeof chooseDelivery>['kind']][] = [
  ['minikube, docker runtime → build inside (docker-env)', { context: 'minikube', minikubeProfile: 'minikube', runtime: 'docker', hostEngine: false }, 'docker-env'],
  ['minikube, docker runtime, engine here too → still docker-env (no copy)', { context: 'minikube', minikubeProfile: 'minikube', runtime: 'docker', hostEngine: true }, 'docker-env'],
  ['minikube, containerd → build here, image load', { context: 'minikube', minikubeProfile: 'minikube', runtime: 'containerd', hostEngine: true }, 'image-load'],
  ['minikube, cri-o → build here, image load', { context: 'dev', minikubeProfile: 'dev', runtime: 'cri-o', hostEngine: true }, 'image-load'],
  ['Docker Desktop shares the engine', { context: 'docker-desktop', hostEngine: true }, 'shared-engine'],
];
for (const [name, facts, kind] of cases) test(`delivery: ${name}`, (t) => t.is(chooseDelivery(facts).kind, kind));

const errors: [string, Parameters<typeof chooseDelivery>[0], RegExp, RegExp][] = [
  ['minikube containerd and no engine here', { context: 'minikube', minikubeProfile: 'minikube', runtime: 'containerd', hostEngine: false }, /runtime is containerd \(not docker\), and no Docker engine runs on this machine/, /--container-runtime=docker/],
  ['a kind cluster', { context: 'kind-dev', hostEngine: true }, /without a registry/, /kind load docker-image/],
  ['a shared cluster', { context: 'staging-eqiad', hostEngine: true }, /cannot get the images it builds into the context "staging-eqiad"/, /pin every service/],
  ['Docker Desktop without its engine', { context: 'docker-desktop', hostEngine: false }, /not reachable/, /start Docker Desktop/],
];
for (const [name, facts, message, hint] of errors) {
  test(`delivery impossible: ${name} → exit 3 with the fix`, (t) => {
    const error = t.throws(() => chooseDelivery(facts), { instanceOf: DevpipeError });
    t.is(error?.exitCode, 3);
    t.regex(error?.message ?? '', message);
    t.regex(error?.hint ?? '', hint);
  });
}

test('loadImages: one `minikube image load` per distinct image, as tasks', async (t) => {
  const cluster = new FakeCluster();
  const bus = new EventBus();
  const titles: string[] = [];
  bus.subscribe((e) => e.type === 'task:start' && titles.push(e.title));
  await loadImages(new MinikubeCli(cluster, 'minikube'), bus, ['a:1', 'b:2', 'a:1']);
  t.deepEqual(cluster.loaded, ['a:1', 'b:2']);
  t.deepEqual(titles, ['minikube image load a:1', 'minikube image load b:2']);
});
