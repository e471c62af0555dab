/* eslint-disable @typescript-eslint/no-explicit-any -- manifests and kubectl JSON are plain trees read by deep path here */
/**
 * A recording fake of ProcessRunner that answers like minikube, kubectl and helm (argv in;
 * stdout, stderr and exit codes out, with the tools' own texts). It keeps a small cluster state
 * (objects applied, pods derived from Deployments and Jobs, helm releases, images loaded) so
 * adapters and the engine can be driven end to end without a cluster. What it knows of each
 * tool's output is written next to the answer; docs/minikube.md lists what only a real cluster
 * can confirm.
 */
import { parseAllDocuments } from 'yaml';
import type { ProcessResult, ProcessRunner } from '../../../src/ports.js';

export interface Call {
  command: string;
  args: string[];
  input?: string | undefined;
  env?: Record<string, string> | undefined;
}

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: any; stringData?: any };

export interface PodScenario {
  /** What a pod of this deployment/job does: ready, never ready, cannot pull, crash-loops; jobs: exit code. */
  state: 'ready' | 'not-ready' | 'ImagePullBackOff' | 'CrashLoopBackOff' | 'ErrImageNeverPull';
  exitCode?: number;
  logs?: string[];
}

export interface FakeClusterOptions {
  tools?: { kubectl?: boolean; helm?: boolean; minikube?: boolean };
  contexts?: string[];
  /** minikube profile → state */
  profiles?: Record<string, { running: boolean; runtime: string }>;
  /** The API server answers (false: connection refused). */
  reachable?: boolean;
  /** Per deployment / job name prefix. */
  pods?: Record<string, PodScenario>;
  helmTestFails?: boolean;
  helmTimesOut?: boolean;
}

const ok = (stdout = '', stderr = ''): ProcessResult => ({ exitCode: 0, stdout, stderr });
const fail = (stderr: string, exitCode = 1, stdout = ''): ProcessResult => ({ exitCode, stdout, stderr });

export class FakeCluster implements ProcessRunner {
  readonly calls: Call[] = [];
  readonly objects = new Map<string, Obj>();
  readonly releases = new Map<string, { name: string; namespace: string; chart: string; revision: number; values: string; args: string[] }>();
  readonly loaded: string[] = [];
  readonly lines: string[] = [];
  constructor(readonly options: FakeClusterOptions = {}) {}

  get opts() {
    return {
      tools: { kubectl: true, helm: true, minikube: true, ...this.options.tools },
      contexts: this.options.contexts ?? ['minikube'],
      profiles: this.options.profiles ?? { minikube: { running: true, runtime: 'docker' } },
      reachable: this.options.reachable ?? true,
    };
  }

  async which(command: string): Promise<string | undefined> {
    const tools = this.opts.tools as Record<string, boolean>;
    return tools[command] === false ? undefined : tools[command] ? `/usr/local/bin/${command}` : undefined;
  }

  async run(command: string, args: readonly string[], options: { input?: string; env?: Record<string, string>; onLine?: (line: string) => void; signal?: AbortSignal } = {}): Promise<ProcessResult> {
    this.calls.push({ command, args: [...args], input: options.input, env: options.env });
    const result = command === 'kubectl' ? this.kubectl([...args], options.input) : command === 'helm' ? this.helm([...args], options.input) : command === 'minikube' ? this.minikube([...args]) : fail(`${command}: not found`, 127);
    if (options.onLine) for (const line of `${result.stdout}\n${result.stderr}`.split('\n').filter(Boolean)) options.onLine(line);
    return result;
  }

  /** Calls to kubectl/helm that are not pinned to a context and a namespace. */
  unpinned(): Call[] {
    return this.calls.filter((c) => {
      if (c.command === 'kubectl') return !(c.args[0] === '--context' && c.args[1] && c.args[2] === '--namespace' && c.args[3]);
      if (c.command === 'helm') return !(c.args[0] === 'version') && !(c.args.includes('--kube-context') && c.args.includes('--namespace'));
      if (c.command === 'minikube') return !(c.args[0] === '-p' || (c.args[0] === 'profile' && c.args[1] === 'list'));
      return false;
    });
  }

  // ---------------------------------------------------------------- minikube
  private minikube(args: string[]): ProcessResult {
    if (args[0] === 'profile' && args[1] === 'list') {
      const valid = Object.entries(this.opts.profiles).map(([name, p]) => ({ Name: name, Status: p.running ? 'OK' : 'Stopped', Config: { Name: name, KubernetesConfig: { ContainerRuntime: p.runtime, KubernetesVersion: 'v1.30.0' } } }));
      return ok(JSON.stringify({ invalid: [], valid }));
    }
    if (args[0] !== '-p' || !args[1]) return fail('unpinned minikube call', 2);
    const name = args[1];
    const rest = args.slice(2);
    const profile = this.opts.profiles[name];
    const notFound = fail('', 85, `* Profile "${name}" not found. Run "minikube profile list" to view all profiles.\n  To start a cluster, run: "minikube start -p ${name}"`);
    if (rest[0] === 'status') {
      if (!profile) return notFound;
      const state = profile.running ? 'Running' : 'Stopped';
      return { exitCode: profile.running ? 0 : 7, stdout: JSON.stringify({ Name: name, Host: state, Kubelet: state, APIServer: state, Kubeconfig: profile.running ? 'Configured' : 'Stopped', Worker: false }), stderr: '' };
    }
    if (!profile) return notFound;
    if (!profile.running) return fail(`* The control-plane node ${name} host is not running: state=Stopped\n  - To start a cluster, run: "minikube start -p ${name}"`, 89);
    if (rest[0] === 'docker-env') {
      if (profile.runtime !== 'docker') return fail(`X Exiting due to MK_USAGE: The docker-env command is only compatible with the "docker" runtime, but this cluster was configured to use the "${profile.runtime}" runtime.`, 14);
      return ok(`DOCKER_TLS_VERIFY=1\nDOCKER_HOST=tcp://192.168.49.2:2376\nDOCKER_CERT_PATH=/home/dev/.minikube/certs\nMINIKUBE_ACTIVE_DOCKERD=${name}`);
    }
    if (rest[0] === 'image' && rest[1] === 'load') {
      this.loaded.push(rest[2] ?? '');
      return ok();
    }
    if (rest[0] === 'ip') return ok('192.168.49.2');
    return fail(`unknown minikube command ${rest.join(' ')}`, 64);
  }

  // ---------------------------------------------------------------- kubectl
  private pin(args: string[]): { context: string; namespace: string; rest: string[] } | ProcessResult {
    if (args[0] !== '--context' || args[2] !== '--namespace') return fail('unpinned kubectl call (devpipe must always pass --context and --namespace first)', 2);
    const context = args[1] ?? '';
    if (!this.opts.contexts.includes(context)) return fail(`error: context "${context}" does not exist`);
    if (!this.opts.reachable) return fail('The connection to the server 192.168.49.2:8443 was refused - did you specify the right host or port?');
    return { context, namespace: args[3] ?? '', rest: args.slice(4) };
  }

  private key(o: Obj, ns: string): string {
    return `${o.kind}/${o.kind === 'Namespace' ? '' : o.metadata.namespace ?? ns}/${o.metadata.name}`;
  }

  private kubectl(args: string[], input?: string): ProcessResult {
    const pinned = this.pin(args);
    if ('exitCode' in pinned) return pinned;
    const { namespace: ns, rest } = pinned;
    const [verb] = rest;
    if (verb === 'apply') {
      const out: string[] = [];
      for (const doc of parseAllDocuments(input ?? '')) {
        const o = doc.toJS() as Obj;
        if (!o) continue;
        if (o.kind !== 'Namespace' && o.metadata.namespace && o.metadata.namespace !== ns) {
          return fail(`error: the namespace from the provided object "${o.metadata.namespace}" does not match the namespace "${ns}". You must pass '--namespace=${o.metadata.namespace}' to perform this operation.`);
        }
        if (o.kind !== 'Namespace' && !this.objects.has(`Namespace//${ns}`)) return fail(`Error from server (NotFound): error when creating "STDIN": namespaces "${ns}" not found`);
        const k = this.key(o, ns);
        const prev = this.objects.get(k);
        const plural = `${o.kind.toLowerCase()}${o.apiVersion === 'apps/v1' ? '.apps' : o.apiVersion === 'batch/v1' ? '.batch' : ''}`;
        const verbText = !prev ? 'created' : JSON.stringify(prev) === JSON.stringify(o) ? 'unchanged' : 'configured';
        this.objects.set(k, { ...o, metadata: { ...o.metadata, namespace: o.kind === 'Namespace' ? undefined : ns } as Obj['metadata'] });
        out.push(`${plural}/${o.metadata.name} ${verbText}`);
      }
      return ok(out.join('\n'));
    }
    if (verb === 'get' && rest[1] === 'events') {
      const name = rest[3]?.split('=')[1] ?? '';
      return ok(JSON.stringify({ kind: 'List', items: this.eventsFor(name) }));
    }
    if (verb === 'get') {
      const kinds = (rest[1] ?? '').split(',');
      const selector = rest[2] === '-l' ? rest[3] : undefined;
      const items = kinds.flatMap((k) => this.list(k, ns, selector));
      return ok(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    }
    if (verb === 'rollout') {
      const name = (rest[2] ?? '').replace('deployment/', '');
      if (!this.objects.has(`Deployment/${ns}/${name}`)) return fail(`Error from server (NotFound): deployments.apps "${name}" not found`);
      if (this.scenario(name).state === 'ready') return ok(`Waiting for deployment "${name}" rollout to finish: 0 of 1 updated replicas are available...\ndeployment "${name}" successfully rolled out`);
      return { exitCode: 1, stdout: `Waiting for deployment "${name}" rollout to finish: 0 of 1 updated replicas are available...`, stderr: 'error: timed out waiting for the condition' };
    }
    if (verb === 'logs') {
      const target = rest[1] === '-l' ? rest[2] ?? '' : rest[1] ?? '';
      const pods = rest[1] === '-l' ? this.list('pods', ns, target) : this.list('pods', ns).filter((p) => p.metadata.name === target);
      if (pods.length === 0) return rest[1] === '-l' ? ok('No resources found in ' + ns + ' namespace.') : fail(`Error from server (NotFound): pods "${target}" not found`);
      const prefix = rest.includes('--prefix');
      return ok(pods.flatMap((p) => (this.scenario(p.metadata.name).logs ?? [`${p.metadata.name} started`]).map((l) => (prefix ? `[pod/${p.metadata.name}/${p.metadata.labels?.['devpipe.service'] ?? 'c'}] ${l}` : l))).join('\n'));
    }
    if (verb === 'delete' && rest[1] === 'namespace') {
      const existed = this.objects.delete(`Namespace//${rest[2]}`);
      for (const k of [...this.objects.keys()]) if (k.split('/')[1] === rest[2]) this.objects.delete(k);
      return ok(existed ? `namespace "${rest[2]}" deleted` : '');
    }
    if (verb === 'delete') {
      const kinds = (rest[1] ?? '').split(',').map(singular);
      const selector = rest[3] ?? '';
      const out: string[] = [];
      for (const [k, o] of [...this.objects]) {
        if (!kinds.includes(o.kind.toLowerCase()) || o.metadata.namespace !== ns || !matches(o.metadata.labels, selector)) continue;
        this.objects.delete(k);
        out.push(`${o.kind.toLowerCase()} "${o.metadata.name}" deleted`);
      }
      return ok(out.join('\n') || `No resources found`);
    }
    if (verb === 'port-forward') return ok(`Forwarding from 127.0.0.1:${(rest[2] ?? '').split(':')[0]} -> ${(rest[2] ?? '').split(':')[1]}`);
    return fail(`error: unknown command "${verb}" for "kubectl"`);
  }

  scenario(name: string): PodScenario {
    const pods = this.options.pods ?? {};
    const key = Object.keys(pods).find((k) => name === k || name.startsWith(`${k}-`));
    return (key ? pods[key] : undefined) ?? { state: 'ready', exitCode: 0 };
  }

  private pods(ns: string): any[] {
    const out: any[] = [];
    for (const o of this.objects.values()) {
      if (o.metadata.namespace !== ns || (o.kind !== 'Deployment' && o.kind !== 'Job')) continue;
      const template = o.spec?.template ?? {};
      const name = o.kind === 'Deployment' ? `${o.metadata.name}-7d9f8b6c5d-x2k4q` : `${o.metadata.name}-h8s2p`;
      const scenario = this.scenario(o.metadata.name);
      const image = template.spec?.containers?.[0]?.image;
      const job = o.kind === 'Job';
      const state =
        scenario.state === 'ready'
          ? job
            ? { terminated: { reason: scenario.exitCode ? 'Error' : 'Completed', exitCode: scenario.exitCode ?? 0 } }
            : { running: { startedAt: '2026-11-22T03:00:00Z' } }
          : scenario.state === 'not-ready'
            ? { running: { startedAt: '2026-11-22T03:00:00Z' } }
            : { waiting: { reason: scenario.state, message: scenario.state === 'CrashLoopBackOff' ? `back-off 40s restarting failed container=x pod=${name}` : `Back-off pulling image "${image}"` } };
      out.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns, labels: template.metadata?.labels ?? {} },
        status: {
          phase: job && scenario.state === 'ready' ? (scenario.exitCode ? 'Failed' : 'Succeeded') : scenario.state === 'ready' || scenario.state === 'not-ready' || scenario.state === 'CrashLoopBackOff' ? 'Running' : 'Pending',
          containerStatuses: [{ name: 'c', image, ready: scenario.state === 'ready' && !job, restartCount: scenario.state === 'CrashLoopBackOff' ? 4 : 0, state, ...(scenario.state === 'CrashLoopBackOff' ? { lastState: { terminated: { reason: 'Error', exitCode: scenario.exitCode ?? 1 } } } : {}) }],
        },
      });
    }
    return out;
  }

  private list(kind: string, ns: string, selector?: string): any[] {
    const k = singular(kind);
    if (k === 'pod') return this.pods(ns).filter((p) => matches(p.metadata.labels, selector ?? ''));
    return [...this.objects.values()]
      .filter((o) => o.kind.toLowerCase() === k && o.metadata.namespace === ns && matches(o.metadata.labels, selector ?? ''))
      .map((o) => (o.kind === 'Deployment' ? { ...o, status: { replicas: 1, readyReplicas: this.scenario(o.metadata.name).state === 'ready' ? 1 : 0 } } : o.kind === 'Service' && o.spec?.type === 'NodePort' ? { ...o, spec: { ...o.spec, ports: o.spec.ports.map((p: any, i: number) => ({ ...p, nodePort: 31080 + i })) } } : o));
  }

  private eventsFor(name: string): any[] {
    const s = this.scenario(name);
    if (s.state === 'ImagePullBackOff') {
      return [
        { type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ns/${name} to minikube`, involvedObject: { kind: 'Pod', name }, lastTimestamp: '2026-11-22T03:00:00Z', count: 1 },
        { type: 'Warning', reason: 'Failed', message: 'Failed to pull image "x": Error response from daemon: pull access denied for x, repository does not exist or may require \'docker login\'', involvedObject: { kind: 'Pod', name }, lastTimestamp: '2026-11-22T03:00:05Z', count: 3 },
      ];
    }
    if (s.state === 'not-ready') return [{ type: 'Warning', reason: 'Unhealthy', message: 'Readiness probe failed: wget: server returned error: HTTP/1.0 503 Service Unavailable', involvedObject: { kind: 'Pod', name }, lastTimestamp: '2026-11-22T03:00:09Z', count: 12 }];
    if (s.state === 'CrashLoopBackOff') return [{ type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', involvedObject: { kind: 'Pod', name }, lastTimestamp: '2026-11-22T03:00:09Z', count: 5 }];
    return [];
  }

  // ---------------------------------------------------------------- helm
  private helm(args: string[], input?: string): ProcessResult {
    if (args[0] === 'version') return ok('v3.14.4+g81c902a');
    const ci = args.indexOf('--kube-context');
    const ni = args.indexOf('--namespace');
    if (ci < 0 || ni < 0) return fail('unpinned helm call', 2);
    const context = args[ci + 1] ?? '';
    const ns = args[ni + 1] ?? '';
    if (!this.opts.contexts.includes(context)) return fail(`Error: Kubernetes cluster unreachable: context "${context}" does not exist`);
    if (!this.opts.reachable) return fail('Error: Kubernetes cluster unreachable: Get "https://192.168.49.2:8443/version": dial tcp 192.168.49.2:8443: connect: connection refused');
    const [verb] = args;
    if (verb === 'upgrade' || verb === 'install') {
      const release = verb === 'upgrade' ? args[2] ?? '' : args[1] ?? '';
      const chart = verb === 'upgrade' ? args[3] ?? '' : args[2] ?? '';
      if (this.options.helmTimesOut) return fail(`Error: ${verb === 'install' ? 'INSTALLATION' : 'UPGRADE'} FAILED: context deadline exceeded`);
      const prev = this.releases.get(`${ns}/${release}`);
      this.releases.set(`${ns}/${release}`, { name: release, namespace: ns, chart, revision: (prev?.revision ?? 0) + 1, values: input ?? '', args });
      const head = verb === 'upgrade' && !prev ? `Release "${release}" does not exist. Installing it now.\n` : verb === 'upgrade' ? `Release "${release}" has been upgraded. Happy Helming!\n` : '';
      return ok(`${head}NAME: ${release}\nLAST DEPLOYED: Sun Nov 22 03:00:00 2026\nNAMESPACE: ${ns}\nSTATUS: deployed\nREVISION: ${(prev?.revision ?? 0) + 1}\nTEST SUITE: None`);
    }
    if (verb === 'test') {
      const release = args[1] ?? '';
      if (!this.releases.has(`${ns}/${release}`)) return fail(`Error: release: not found`);
      const pod = `${release}-service-checker`;
      if (this.options.helmTestFails) return { exitCode: 1, stdout: `NAME: ${release}\nPhase: Failed\nPOD LOGS: ${pod}\n/ 404 not found`, stderr: `Error: pod ${pod} failed` };
      return ok(`NAME: ${release}\nLAST DEPLOYED: Sun Nov 22 03:00:00 2026\nNAMESPACE: ${ns}\nSTATUS: deployed\nREVISION: 1\nTEST SUITE:     ${pod}\nLast Started:   Sun Nov 22 03:00:10 2026\nLast Completed: Sun Nov 22 03:00:12 2026\nPhase:          Succeeded`);
    }
    if (verb === 'list') {
      return ok(JSON.stringify([...this.releases.values()].filter((r) => r.namespace === ns).map((r) => ({ name: r.name, namespace: ns, revision: String(r.revision), updated: '2026-11-22 03:00:00 +0000 UTC', status: 'deployed', chart: 'chart-0.1.0', app_version: '1.0' }))));
    }
    if (verb === 'uninstall') {
      const release = args[1] ?? '';
      if (!this.releases.delete(`${ns}/${release}`)) return fail(`Error: uninstall: Release not loaded: ${release}: release: not found`);
      return ok(`release "${release}" uninstalled`);
    }
    return fail(`Error: unknown command "${verb}" for "helm"`);
  }
}

function singular(kind: string): string {
  return kind.toLowerCase().replace(/\.apps$|\.batch$/, '').replace(/ies$/, 'y').replace(/(ss|x)es$/, '$1').replace(/s$/, '');
}

function matches(labels: Record<string, string> | undefined, selector: string): boolean {
  if (!selector) return true;
  return selector.split(',').every((pair) => {
    const [k, v] = pair.split('=');
    return labels?.[k ?? ''] === v;
  });
}
