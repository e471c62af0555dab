/**
 * Doctor's verdict as a pure function of the facts the adapters gathered: which checks pass,
 * what each missing piece needs, and whether the chosen target can work.
 */
import type { EngineInfo } from '../ports.js';

export type Target = 'compose' | 'minikube';

export interface ToolFact {
  present: boolean;
  version?: string | undefined;
  error?: string | undefined;
}

export interface DoctorFacts {
  engine: { ok: true; info: EngineInfo } | { ok: false; error: string; foundVia?: string | undefined };
  dockerCli: ToolFact;
  composeV2: ToolFact;
  composeV1: ToolFact;
  minikube: ToolFact & { running?: boolean; status?: string | undefined; runtime?: string | undefined; profile?: string | undefined };
  /** `contexts`: every context in the kubeconfig; `expected`: the one the kube target will use (minikube's, or --allow-context). */
  kubectl: ToolFact & { context?: string | undefined; contexts?: string[] | undefined; expected?: string | undefined };
  helm: ToolFact;
  node: { version: string };
  debian: boolean;
}

export type CheckStatus = 'ok' | 'missing' | 'warn';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about it (missing/warn only). */
  fix?: string | undefined;
  /** True when the target cannot work without it. */
  required: boolean;
}

export interface DoctorReport {
  target: Target;
  ok: boolean;
  checks: Check[];
  facts: DoctorFacts;
}

export function nodeSupported(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  return major > 20 || (major === 20 && minor >= 19);
}

export function assess(facts: DoctorFacts, target: Target): DoctorReport {
  const checks: Check[] = [];
  const provision = facts.debian ? 'run `sudo bash scripts/provision-debian.sh` (installs and starts it), or ' : '';
  const compose = target === 'compose';

  checks.push(
    nodeSupported(facts.node.version)
      ? { name: 'node', status: 'ok', detail: `Node ${facts.node.version}`, required: true }
      : { name: 'node', status: 'missing', detail: `Node ${facts.node.version} is too old`, fix: 'install Node 20.19 or newer', required: true },
  );

  if (facts.engine.ok) {
    const e = facts.engine.info;
    checks.push({
      name: 'docker engine',
      status: 'ok',
      detail: `Engine ${e.serverVersion} (API ${e.apiVersion}, ${e.os}/${e.arch}) via ${e.foundVia}; BuildKit through the API: ${e.buildkit ? 'yes (devpipe builds with it; DEVPIPE_BUILDER=classic for the classic builder)' : 'no (devpipe builds with the classic builder)'}`,
      required: compose,
    });
  } else {
    checks.push({
      name: 'docker engine',
      status: compose ? 'missing' : 'warn',
      detail: `not reachable (${facts.engine.error})${facts.engine.foundVia ? ` via ${facts.engine.foundVia}` : ''}`,
      fix: `${provision}install Docker Engine (https://docs.docker.com/engine/install/) and start it, or set DOCKER_HOST`,
      required: compose,
    });
  }

  const composeFix = `${provision}install the Compose v2 plugin (package docker-compose-plugin, or Debian 13's docker-compose) or Compose v1 (apt-get install docker-compose)`;
  if (facts.composeV2.present) {
    checks.push({ name: 'compose v2', status: 'ok', detail: `docker compose ${facts.composeV2.version ?? ''}`.trim(), required: false });
  } else {
    checks.push({ name: 'compose v2', status: facts.composeV1.present ? 'warn' : 'missing', detail: facts.composeV2.error ?? 'not found', fix: composeFix, required: false });
  }
  if (facts.composeV1.present) {
    checks.push({ name: 'compose v1', status: 'ok', detail: `docker-compose ${facts.composeV1.version ?? ''}`.trim(), required: false });
  } else {
    checks.push({ name: 'compose v1', status: facts.composeV2.present ? 'ok' : 'missing', detail: facts.composeV2.present ? 'not installed (not needed: v2 is used)' : 'not found', required: false });
  }
  if (compose && !facts.composeV2.present && !facts.composeV1.present) {
    checks.push({ name: 'compose', status: 'missing', detail: 'neither Compose v2 nor v1 found', fix: composeFix, required: true });
  }

  const mk = facts.minikube;
  if (!mk.present) {
    checks.push({
      name: 'minikube',
      status: compose ? 'warn' : 'missing',
      detail: compose ? 'not found (only needed for --target minikube)' : 'not found',
      fix: 'install minikube (https://minikube.sigs.k8s.io/docs/start/), then `minikube start`',
      required: !compose,
    });
  } else if (!mk.running) {
    checks.push({
      name: 'minikube',
      status: compose ? 'warn' : 'missing',
      detail: `minikube ${mk.version ?? ''} present, not running (${mk.status ?? 'unknown'})`,
      fix: 'run `minikube start`',
      required: !compose,
    });
  } else {
    checks.push({ name: 'minikube', status: 'ok', detail: `minikube ${mk.version ?? ''} running, runtime ${mk.runtime ?? 'unknown'}`, required: !compose });
  }

  const kc = facts.kubectl;
  checks.push(
    kc.present
      ? { name: 'kubectl', status: 'ok', detail: `kubectl ${kc.version ?? ''}; current context: ${kc.context ?? 'none'}`, required: !compose }
      : { name: 'kubectl', status: compose ? 'warn' : 'missing', detail: 'not found', fix: 'install kubectl (https://kubernetes.io/docs/tasks/tools/) or use `minikube kubectl --`', required: !compose },
  );
  if (!compose && kc.present && kc.contexts && kc.expected) {
    checks.push(
      kc.contexts.includes(kc.expected)
        ? { name: 'kube context', status: 'ok', detail: `${kc.expected} (every kubectl/helm call is pinned to it, namespace devpipe-<project>)`, required: true }
        : {
            name: 'kube context',
            status: 'missing',
            detail: `"${kc.expected}" is not in your kubeconfig (contexts: ${kc.contexts.join(', ') || 'none'})`,
            fix: kc.expected === 'minikube' || kc.expected === mk.profile ? '`minikube start` writes it (or `minikube update-context`)' : 'pick one of the contexts above with --allow-context NAME',
            required: true,
          },
    );
  }
  if (!compose && mk.present && mk.running) {
    const engineUp = facts.engine.ok;
    checks.push(
      mk.runtime === 'docker'
        ? { name: 'image delivery', status: 'ok', detail: 'builds inside minikube (minikube docker-env)', required: true }
        : engineUp
          ? { name: 'image delivery', status: 'ok', detail: `builds here, then \`minikube image load\` (runtime ${mk.runtime ?? 'unknown'})`, required: true }
          : {
              name: 'image delivery',
              status: 'missing',
              detail: `minikube's runtime is ${mk.runtime ?? 'unknown'} (not docker) and no Docker engine runs here to build with`,
              fix: 'start a Docker engine here, or `minikube delete && minikube start --container-runtime=docker`',
              required: true,
            },
    );
  }
  checks.push(
    facts.helm.present
      ? { name: 'helm', status: 'ok', detail: `helm ${facts.helm.version ?? ''}`, required: false }
      : { name: 'helm', status: 'warn', detail: 'not found (needed for services with Helm charts and for `ci` deploy steps)', fix: 'install helm (https://helm.sh/docs/intro/install/)', required: false },
  );

  const ok = checks.every((c) => !c.required || c.status === 'ok');
  return { target, ok, checks, facts };
}
