/**
 * A job's variables at run time (kokkuri.md §2.5, §2.11): the planned variables with the dotenv
 * values of the jobs it depends on on top, and — for names the job uses that nothing defines
 * (GitLab's protected CI/CD settings such as DB_PASS) — the stack's fake secrets. Secret values
 * are remembered for redaction and never logged.
 */
import type { PlannedJob } from '../../spec/gitlab/index.js';
import { referencedNames, resolveVariables, runtimeValues } from '../../spec/gitlab/index.js';
import { dotenvSources } from './order.js';
import type { GitlabState } from './state.js';

/** Kokkuri's own control variables (not passed into the run environment). */
export function isControlVariable(name: string): boolean {
  return /^(BUILD_|PUBLISH_|RUN_ARGUMENTS$|GIT_|DEVPIPE_|BUILDCTL_|IMAGE_NAME$)/.test(name);
}

/** Names a shell or image provides, never GitLab settings. */
const shellNames = new Set(['PATH', 'HOME', 'PWD', 'OLDPWD', 'USER', 'SHELL', 'HOSTNAME', 'TERM', 'LANG', 'IFS', 'RANDOM', 'UID']);

export interface JobEnvironment {
  /** Every variable, runner-expanded (unknown references empty). */
  vars: Record<string, string>;
  /** The dotenv values received, by name. */
  received: Record<string, string>;
  /** Names filled from the secret source. */
  secretNames: string[];
  /** Names the job uses that are defined nowhere (left empty). */
  missing: string[];
}

export async function jobEnvironment(state: GitlabState, job: PlannedJob, all: readonly PlannedJob[]): Promise<JobEnvironment> {
  const received: Record<string, string> = {};
  for (const source of dotenvSources(job, all)) Object.assign(received, state.dotenv.get(source) ?? {});
  const layered = resolveVariables([job.variables, received], job.job.raw);
  const texts = [...job.job.script, ...job.job.beforeScript, ...Object.values(job.job.variables), job.job.image?.name ?? ''];
  const wanted = [...new Set(texts.flatMap(referencedNames))].filter((name) => layered[name] === undefined && !shellNames.has(name) && !/^\d/.test(name));
  const secretNames: string[] = [];
  const missing: string[] = [];
  for (const name of wanted) {
    const value = await state.ports.secrets.get(name);
    if (value === undefined) missing.push(name);
    else {
      layered[name] = value;
      secretNames.push(name);
      state.secrets.push(value);
    }
  }
  return { vars: runtimeValues(resolveVariables([layered], job.job.raw)), received, secretNames, missing };
}

/** The container environment of a Kokkuri run: the job's own variables (not Kokkuri's controls), received dotenv values and secrets. */
export function runEnvironment(job: PlannedJob, env: JobEnvironment): Record<string, string> {
  const names = new Set([...job.own.filter((n) => !isControlVariable(n)), ...Object.keys(env.received), ...env.secretNames]);
  return Object.fromEntries([...names].filter((n) => env.vars[n] !== undefined).map((n) => [n, env.vars[n]!]));
}
