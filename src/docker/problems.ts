/**
 * Known raw Docker failures mapped to hinted DevpipeErrors. Explicitly imported by the adapters;
 * no global registry.
 */
import { DevpipeError, type ErrorKind } from '../errors.js';

export interface Problem {
  match: RegExp;
  kind: ErrorKind;
  message: (raw: string) => string;
  hint: string;
}

export const dockerProblems: readonly Problem[] = [
  {
    match: /connect ENOENT|connect ECONNREFUSED|Cannot connect to the Docker daemon|socket hang up.*docker\.sock/i,
    kind: 'environment',
    message: () => 'cannot reach the Docker engine',
    hint: 'start it (`sudo dockerd &`, `sudo systemctl start docker`, or Docker Desktop), or point DOCKER_HOST at it; on Debian, `sudo bash scripts/provision-debian.sh` installs and starts one. `devpipe doctor` shows what was tried',
  },
  {
    match: /connect EACCES|permission denied.*docker\.sock/i,
    kind: 'environment',
    message: () => 'permission denied on the Docker socket',
    hint: 'add your user to the `docker` group (`sudo usermod -aG docker $USER`, then log in again) or run as root',
  },
  {
    match: /pull access denied|manifest unknown|repository does not exist|not found: manifest|failed to resolve source metadata|dial tcp: lookup|i\/o timeout|TLS handshake timeout|no such host/i,
    kind: 'failure',
    message: (raw) => `an image could not be pulled: ${firstLine(raw)}`,
    hint: 'devpipe never needs a registry for images that exist locally: check `docker images` for the base image, build or import it, or drop --pull',
  },
  {
    match: /port is already allocated|address already in use/i,
    kind: 'environment',
    message: (raw) => `a port is already in use: ${firstLine(raw)}`,
    hint: 'stop whatever listens on that port (`ss -ltnp`), or change the published port',
  },
  {
    match: /no space left on device/i,
    kind: 'environment',
    message: () => 'the Docker engine ran out of disk space',
    hint: 'free space with `docker system prune` (and `docker builder prune`)',
  },
  {
    match: /dockerfile parse error|unknown instruction|Dockerfile parse error/i,
    kind: 'internal',
    message: (raw) => `the engine rejected the generated Dockerfile: ${firstLine(raw)}`,
    hint: 'run `devpipe render <variant>` to see it; this is a bug in devpipe, please report it',
  },
];

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).trim();
}

/** Maps a raw error to a known problem, or returns undefined. */
export function matchProblem(raw: string, cause?: unknown, details?: string[]): DevpipeError | undefined {
  for (const problem of dockerProblems) {
    if (problem.match.test(raw)) {
      return new DevpipeError(problem.kind, problem.message(raw), { hint: problem.hint, cause, details });
    }
  }
  return undefined;
}

/** Any dockerode error as a DevpipeError: a known problem, or an environment error with the raw text. */
export function dockerError(error: unknown, doing: string): DevpipeError {
  if (error instanceof DevpipeError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  return (
    matchProblem(raw, error) ??
    new DevpipeError('environment', `Docker engine error while ${doing}: ${firstLine(raw)}`, {
      cause: error,
      hint: 'run `devpipe doctor` to check the engine; `--verbose` shows the full error',
    })
  );
}
