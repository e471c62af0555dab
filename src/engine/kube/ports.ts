/**
 * The kube target's ports, in devpipe's own types: a kubectl pinned to one context and namespace,
 * a helm pinned the same way, minikube pinned to one profile. Adapters live in src/kube/ (over
 * ProcessRunner); tests use recording fakes (test/fakes/kube/). Nothing here can run unpinned:
 * the pin is fixed when an adapter is built, and no method takes a context or namespace.
 */

/** Where everything goes: one kube context, one namespace per project. */
export interface KubeTarget {
  context: string;
  namespace: string;
}

/** What `kubectl get … -o json` returns for one object (the parts devpipe reads). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface KubeEvent {
  type: string;
  reason: string;
  message: string;
  object: string;
  count?: number | undefined;
  lastSeen?: string | undefined;
}

export interface CallOptions {
  signal?: AbortSignal | undefined;
  onLine?: ((line: string) => void) | undefined;
}

/** kubectl, pinned to `target` on every call. */
export interface KubeClient {
  readonly target: KubeTarget;
  /** `kubectl get namespace <pinned> --ignore-not-found -o name`: the context exists and the cluster answers (fails fast, before any build). */
  ping(): Promise<void>;
  /** `kubectl apply -f -`: server-side validated, objects given as YAML text on stdin. */
  apply(yaml: string, options?: CallOptions): Promise<string[]>;
  /** `kubectl get KINDS -l SELECTOR -o json` → items. */
  get(kinds: string, selector?: string): Promise<KubeObject[]>;
  /** `kubectl rollout status deployment/NAME --timeout=Ns`; resolves true when rolled out, false on timeout. */
  rolloutStatus(deployment: string, timeoutMs: number, options?: CallOptions): Promise<boolean>;
  /** `kubectl get events --field-selector involvedObject.name=NAME -o json`. */
  events(objectName: string): Promise<KubeEvent[]>;
  /** `kubectl logs`: a pod (or `job/x`, `deployment/x`) or a label selector. */
  logs(what: { pod?: string; selector?: string }, options: { tail?: number; follow?: boolean; previous?: boolean; prefix?: boolean; signal?: AbortSignal | undefined; onLine: (line: string) => void }): Promise<void>;
  /** `kubectl delete KINDS -l SELECTOR --ignore-not-found`. */
  deleteByLabel(kinds: string, selector: string, options?: CallOptions): Promise<void>;
  /** `kubectl delete namespace <pinned namespace> --ignore-not-found`. */
  deleteNamespace(options?: CallOptions): Promise<void>;
  /** The argv of `kubectl port-forward service/NAME LOCAL:REMOTE`, pinned (for the forward manager). */
  portForwardArgs(service: string, local: number, remote: number): string[];
}

export interface HelmRelease {
  name: string;
  status: string;
  chart: string;
  revision: string;
}

export interface HelmInstall {
  release: string;
  /** A local chart directory, or a chart name with `repo`. */
  chart: string;
  repo?: string | undefined;
  version?: string | undefined;
  /** Values files, in order (later wins). `-` is read from `stdin`. */
  valuesFiles: string[];
  stdin?: string | undefined;
  /** `--set-string k=v`, applied after every values file. */
  setString: Record<string, string>;
  /** `--set k=v` (typed: `false`, `null` deletes), applied after every values file. */
  set?: Record<string, string> | undefined;
  timeoutMs: number;
  /** `upgrade --install` (devpipe up) or `install` (PipelineLib's deploy step). */
  mode: 'upgrade-install' | 'install';
}

/** helm, pinned to `--kube-context` and `--namespace` on every call. */
export interface HelmClient {
  readonly target: KubeTarget;
  version(): Promise<string>;
  install(request: HelmInstall, options?: CallOptions): Promise<void>;
  /** `helm test RELEASE`: resolves on success, throws a failure with the test pod's output. */
  test(release: string, timeoutMs: number, options?: CallOptions): Promise<void>;
  uninstall(release: string, options?: CallOptions): Promise<void>;
  list(): Promise<HelmRelease[]>;
}

export interface MinikubeStatus {
  /** `Running`, `Stopped`, `Nonexistent`, … */
  host: string;
  apiServer: string;
  kubeconfig: string;
  running: boolean;
}

/** minikube, pinned to one profile (`-p`). */
export interface MinikubeClient {
  readonly profile: string;
  status(): Promise<MinikubeStatus>;
  /** `docker`, `containerd`, `cri-o`, or undefined when unknown. */
  runtime(): Promise<string | undefined>;
  /** `minikube docker-env --shell none` as a map (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH…). */
  dockerEnv(): Promise<Record<string, string>>;
  /** `minikube image load REF --daemon`: from this machine's Docker engine into the cluster. */
  imageLoad(ref: string, options?: CallOptions): Promise<void>;
  ip(): Promise<string>;
}
