/**
 * Known raw Compose failures mapped to hinted DevpipeErrors (evidence kept in details). Compose
 * v2 and v1 word some of them differently; both are matched.
 */
import { DevpipeError, type ErrorKind } from '../errors.js';

export interface ComposeProblem {
  match: RegExp;
  kind: ErrorKind;
  message: (raw: string, match: RegExpMatchArray) => string;
  hint: (match: RegExpMatchArray) => string;
}

export const composeProblems: readonly ComposeProblem[] = [
  {
    match: /(?:Bind for [\d.:[\]]*?:(\d+) failed: port is already allocated|listen tcp\d?\s+[\d.:[\]]*?:(\d+): bind: address already in use|address already in use)/i,
    kind: 'environment',
    message: (_raw, m) => `host port ${m[1] ?? m[2] ?? '?'} is already in use`,
    hint: (m) => `stop whatever listens on port ${m[1] ?? m[2] ?? '?'} (\`ss -ltnp | grep ${m[1] ?? m[2] ?? ''}\`, or \`devpipe down\` in the other project), or publish another host port in devpipe.yaml (\`ports: ["HOST:CONTAINER"]\`)`,
  },
  {
    match: /Cannot connect to the Docker daemon|Couldn't connect to Docker daemon|connect: no such file or directory|Is the docker daemon running/i,
    kind: 'environment',
    message: () => 'Compose cannot reach the Docker engine',
    hint: () => 'start the engine (on Debian: `sudo bash scripts/provision-debian.sh`) or point DOCKER_HOST at it; `devpipe doctor` shows what was tried',
  },
  {
    match: /dependency failed to start: container ([\w.-]+) (?:is unhealthy|exited)|Container "?([\w.-]+)"? is unhealthy|for ([\w.-]+)\s+Container "[\w]+" is unhealthy/i,
    kind: 'failure',
    message: (_raw, m) => `container ${m[1] ?? m[2] ?? m[3] ?? '?'} did not become healthy, so the services depending on it were not started`,
    hint: () => 'see its logs with `devpipe logs <service>` and check its healthcheck in .pipeline/devpipe.yaml',
  },
  {
    match: /(?:pull access denied for ([^\s,]+)|manifest (?:for ([^\s]+) )?(?:not found|unknown)|No such image:? ([^\s]+)|failed to resolve reference "([^"]+)"|repository ([^\s]+) not found)/i,
    kind: 'failure',
    message: (_raw, m) => `image ${m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5] ?? ''} is not present locally and could not be pulled`.replace('image  is', 'an image is'),
    hint: () => 'pinned images must exist in the local engine when no registry is reachable: `docker load`/`docker import` it, or fix the `image:` in devpipe.yaml',
  },
  {
    match: /dial tcp: lookup|TLS handshake timeout|i\/o timeout/i,
    kind: 'failure',
    message: () => 'Compose tried to pull an image and the registry is unreachable',
    hint: () => 'pinned images must exist locally here: check `docker images`, or load/import the image',
  },
  {
    match: /no space left on device/i,
    kind: 'environment',
    message: () => 'the Docker engine ran out of disk space',
    hint: () => 'free space with `docker system prune`',
  },
  {
    match: /(?:yaml:|validating .*compose\.yaml|Additional property|services\.[\w.-]+ (?:must|additional))/i,
    kind: 'internal',
    message: (raw) => `Compose rejected the file devpipe rendered: ${firstLine(raw)}`,
    hint: () => 'this is a bug in devpipe; please report it with `devpipe up --dry-run` output',
  },
];

export function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).trim();
}

/** A known problem for raw stderr, or undefined. */
export function matchComposeProblem(raw: string, details: readonly string[]): DevpipeError | undefined {
  for (const problem of composeProblems) {
    const match = raw.match(problem.match);
    if (match) return new DevpipeError(problem.kind, problem.message(raw, match), { hint: problem.hint(match), details: [...details] });
  }
  return undefined;
}
