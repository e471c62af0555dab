/**
 * Known raw failures of kubectl, helm and minikube, mapped to hinted DevpipeErrors (STYLE.md §7).
 * The patterns are the tools' own texts (kubectl/client-go, helm 3, minikube's exit reasons);
 * unknown failures keep their evidence (command, exit code, last lines of stderr).
 */
import { DevpipeError, type ErrorKind } from '../errors.js';
import type { ProcessResult } from '../ports.js';
import { lastLines } from '../process/execa-runner.js';

export interface KubeProblem {
  pattern: RegExp;
  kind: ErrorKind;
  message: (match: RegExpMatchArray, tool: string) => string;
  hint: (match: RegExpMatchArray, tool: string) => string;
}

export const kubeProblems: readonly KubeProblem[] = [
  {
    // kubectl: `error: context "x" does not exist`; helm: `Error: Kubernetes cluster unreachable: context "x" does not exist`
    // kubectl without --namespace: `Error in configuration: context was not found for specified context: x`
    pattern: /context "([^"]+)" does not exist|context was not found for specified context: (\S+)/,
    kind: 'environment',
    message: (m) => `the kube context "${m[1] ?? m[2]}" does not exist in your kubeconfig`,
    hint: (m) => ((m[1] ?? m[2]) === 'minikube' ? 'start the cluster (`minikube start`), or recreate the context with `minikube update-context`' : `list contexts with \`kubectl config get-contexts\`; pass the right one with --allow-context NAME`),
  },
  {
    // minikube: `* Profile "minikube" not found. Run "minikube profile list" to view all profiles.`
    pattern: /Profile "([^"]+)" not found/,
    kind: 'environment',
    message: (m) => `the minikube profile "${m[1]}" does not exist`,
    hint: (m) => `start it: \`minikube start${m[1] === 'minikube' ? '' : ` -p ${m[1]}`}\` (or set MINIKUBE_PROFILE to an existing profile: \`minikube profile list\`)`,
  },
  {
    // minikube: `The control-plane node minikube host is not running: state=Stopped`, GUEST_STATUS
    pattern: /host is not running|state=Stopped|Exiting due to GUEST_STATUS|control plane node must be running/,
    kind: 'environment',
    message: () => 'minikube is not running',
    hint: () => 'run `minikube start` (then `devpipe doctor --target minikube`)',
  },
  {
    // minikube docker-env on a containerd / cri-o cluster
    pattern: /docker-env command is only compatible with the "docker" runtime/,
    kind: 'environment',
    message: () => 'minikube\'s container runtime is not docker, so devpipe cannot build inside it',
    hint: () => 'devpipe builds on this machine and uses `minikube image load` instead; this needs a Docker engine here (`devpipe doctor`)',
  },
  {
    // client-go: `The connection to the server 127.0.0.1:8443 was refused - did you specify the right host or port?`
    // or `dial tcp 192.168.49.2:8443: connect: connection refused` / `no route to host` / `i/o timeout`
    pattern: /connection to the server (\S+) was refused|dial tcp (\S+): (?:connect: )?(connection refused|no route to host|i\/o timeout)|Unable to connect to the server: (.*)|[Kk]ubernetes cluster unreachable/,
    kind: 'environment',
    message: (m, tool) => `${tool} cannot reach the cluster${m[1] ?? m[2] ? ` at ${m[1] ?? m[2]}` : ''}`,
    hint: () => 'is the cluster running? `minikube status` (start it with `minikube start`); for another context check `kubectl cluster-info --context NAME`',
  },
  {
    pattern: /You must be logged in to the server|\(Unauthorized\)/,
    kind: 'environment',
    message: (_m, tool) => `${tool}: the cluster refused your credentials (Unauthorized)`,
    hint: () => 'refresh the credentials of this context (for minikube: `minikube update-context`)',
  },
  {
    pattern: /Error from server \(Forbidden\): (.*)/,
    kind: 'environment',
    message: (m) => `the cluster forbids it: ${m[1] ?? ''}`.trim(),
    hint: () => 'your user lacks RBAC rights in this namespace; ask the cluster admin, or use minikube',
  },
  {
    // helm: `Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress`
    pattern: /another operation \(install\/upgrade\/rollback\) is in progress/,
    kind: 'environment',
    message: () => 'a previous helm operation on this release did not finish',
    hint: () => 'roll it back or remove it: `devpipe down --target minikube` uninstalls every release of the project',
  },
  {
    // helm: `Error: INSTALLATION FAILED: … path "x" not found` / `Error: path "x" not found`
    pattern: /Error: (?:[A-Z ]+FAILED: )?path "([^"]+)" not found/,
    kind: 'spec',
    message: (m) => `the chart directory ${m[1]} does not exist`,
    hint: () => 'check `chart.path` in .pipeline/devpipe.yaml (relative to the project)',
  },
  {
    // helm: `Error: failed to download "x"` / `Error: INSTALLATION FAILED: Chart.yaml file is missing`
    pattern: /Chart\.yaml file is missing|failed to download "([^"]+)"/,
    kind: 'spec',
    message: (m) => (m[1] ? `helm could not download the chart "${m[1]}"` : 'the chart directory has no Chart.yaml'),
    hint: () => 'point `chart.path` at a chart directory (e.g. deployment-charts/charts/<name>)',
  },
];

export function matchKubeProblem(tool: string, text: string): DevpipeError | undefined {
  for (const problem of kubeProblems) {
    const match = text.match(problem.pattern);
    if (match) {
      return new DevpipeError(problem.kind, problem.message(match, tool), { hint: problem.hint(match, tool), details: [...new Set(lastLines(text, 8).map((l) => l.trim()))] });
    }
  }
  return undefined;
}

/** Throws the known problem, or the generic evidence (command, exit code, stderr tail), when `result` failed. */
export function checkKube(tool: string, args: readonly string[], result: ProcessResult, kind: 'failure' | 'environment' = 'failure'): ProcessResult {
  if (result.exitCode === 0) return result;
  const text = `${result.stderr}\n${result.stdout}`;
  const known = matchKubeProblem(tool, text);
  if (known) throw known;
  throw new DevpipeError(kind, `\`${[tool, ...args].join(' ')}\` exited with code ${result.exitCode}`, { details: lastLines(result.stderr || result.stdout) });
}
