/**
 * Predefined variables for a pipeline kind (kokkuri.md §2.6) and GitLab's variable expansion
 * (§2.5): `$NAME` and `${NAME}` expanded recursively when defined, left as written when not,
 * `$$` for a literal `$`. Pure: the git facts and flags come in as a PipelineInput.
 */

export type PipelineSource = 'push' | 'merge_request_event' | 'schedule' | 'web' | 'api' | 'trigger' | 'pipeline' | 'parent_pipeline';
export const pipelineSources: readonly string[] = ['push', 'merge_request_event', 'tag', 'schedule', 'web', 'api', 'trigger', 'pipeline', 'parent_pipeline'];

export interface PipelineInput {
  source: PipelineSource;
  /** The branch pushed (push/schedule/web), or the MR's source branch. */
  branch?: string | undefined;
  /** The tag pushed (then no branch). */
  tag?: string | undefined;
  /** MR target branch (merge_request_event). */
  targetBranch?: string | undefined;
  defaultBranch: string;
  protected: boolean;
  sha: string;
  projectPath: string;
  serverFqdn: string;
  repositoryUrl: string;
  /** `KOKKURI_PIPELINE_TIMESTAMP` and `CI_PIPELINE_CREATED_AT` come from it. */
  startedAt: Date;
  pipelineId: number;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** devpipe's choice for KOKKURI_PIPELINE_TIMESTAMP (format unknown upstream): PipelineLib's `YYYY-MM-DD-HHMMSS`, UTC. */
export function pipelineTimestamp(date: Date): string {
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

/** CI_COMMIT_REF_SLUG: lower-cased, [a-z0-9] kept, others `-`, at most 63, no leading/trailing `-`. */
export function refSlug(ref: string): string {
  return ref.toLowerCase().replace(/[^a-z0-9]/g, '-').slice(0, 63).replace(/^-+|-+$/g, '');
}

/** Variables every rule and job of the pipeline sees (undefined ones are absent, not empty). */
export function predefinedVariables(input: PipelineInput): Record<string, string> {
  const vars: Record<string, string> = {};
  const mr = input.source === 'merge_request_event';
  const ref = input.tag ?? input.branch ?? '';
  const namespace = input.projectPath.includes('/') ? input.projectPath.slice(0, input.projectPath.lastIndexOf('/')) : input.projectPath;
  Object.assign(vars, {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PIPELINE_SOURCE: input.source,
    CI_COMMIT_REF_NAME: ref,
    CI_COMMIT_REF_SLUG: refSlug(ref),
    CI_COMMIT_REF_PROTECTED: input.protected ? 'true' : 'false',
    CI_DEFAULT_BRANCH: input.defaultBranch,
    CI_COMMIT_SHA: input.sha,
    CI_COMMIT_SHORT_SHA: input.sha.slice(0, 8),
    CI_COMMIT_BEFORE_SHA: '0000000000000000000000000000000000000000',
    CI_PROJECT_PATH: input.projectPath,
    CI_PROJECT_PATH_SLUG: refSlug(input.projectPath),
    CI_PROJECT_NAMESPACE: namespace,
    CI_PROJECT_NAME: input.projectPath.split('/').at(-1) ?? input.projectPath,
    CI_SERVER_FQDN: input.serverFqdn,
    CI_SERVER_HOST: input.serverFqdn,
    CI_SERVER_URL: `https://${input.serverFqdn}`,
    CI_PROJECT_URL: `https://${input.serverFqdn}/${input.projectPath}`,
    CI_PIPELINE_CREATED_AT: input.startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    KOKKURI_PIPELINE_TIMESTAMP: pipelineTimestamp(input.startedAt),
  });
  if (mr) {
    vars.CI_MERGE_REQUEST_IID = '1';
    vars.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME = input.branch ?? '';
    vars.CI_MERGE_REQUEST_TARGET_BRANCH_NAME = input.targetBranch ?? input.defaultBranch;
    vars.CI_OPEN_MERGE_REQUESTS = `${input.projectPath}!1`;
  } else if (input.tag !== undefined) vars.CI_COMMIT_TAG = input.tag;
  else if (input.branch !== undefined) vars.CI_COMMIT_BRANCH = input.branch;
  return vars;
}

/** Job-only variables: not visible to rules, available to expansion at job time. */
export function jobVariables(input: PipelineInput, job: { name: string; stage: string; id: number; nodeIndex?: number | undefined; nodeTotal?: number | undefined }): Record<string, string> {
  return {
    CI_JOB_ID: String(job.id),
    CI_JOB_NAME: job.name,
    CI_JOB_NAME_SLUG: refSlug(job.name),
    CI_JOB_STAGE: job.stage,
    CI_PIPELINE_ID: String(input.pipelineId),
    CI_PIPELINE_IID: String(input.pipelineId),
    CI_REPOSITORY_URL: input.repositoryUrl,
    CI_NODE_INDEX: String(job.nodeIndex ?? 1),
    CI_NODE_TOTAL: String(job.nodeTotal ?? 1),
  };
}

/** One string expanded against `lookup` (GitLab keeps unknown references as written). */
export function expand(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(/\$\$|\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z0-9_]+)/g, (match, braced: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$';
    const value = lookup((braced ?? bare)!);
    return value === undefined ? match : value;
  });
}

/**
 * Layers (lowest first) → one map with every value expanded recursively against the whole map.
 * Names in `raw` keep their text. A self- or cyclic reference stays as written.
 */
export function resolveVariables(layers: readonly Record<string, string>[], raw: ReadonlySet<string> = new Set()): Record<string, string> {
  const merged: Record<string, string> = Object.assign({}, ...layers);
  const done = new Map<string, string>();
  const resolving = new Set<string>();
  const get = (name: string): string | undefined => {
    if (!(name in merged)) return undefined;
    const cached = done.get(name);
    if (cached !== undefined) return cached;
    if (raw.has(name)) return merged[name];
    if (resolving.has(name)) return undefined;
    resolving.add(name);
    const value = expand(merged[name]!, get);
    resolving.delete(name);
    done.set(name, value);
    return value;
  };
  const out: Record<string, string> = {};
  for (const name of Object.keys(merged)) out[name] = get(name) ?? merged[name]!;
  return out;
}

/** Names a text refers to as `$NAME` / `${NAME}` (not `$$`). */
export function referencedNames(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/\$\$|\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z0-9_]+)/g)) {
    const name = m[1] ?? m[2];
    if (name) out.add(name);
  }
  return [...out];
}

/** What a runner does at job time: references still undefined become empty (shell semantics). */
export function runtimeValues(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, expand(v, (name) => vars[name] ?? '')]));
}
