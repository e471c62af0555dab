/**
 * The `setup.*` values (reference §2.3) that the implicit setup stage binds, computed from what the
 * runner knows about the checkout. Pure: the runner reads git and the clock, this shapes the values.
 */
import type { Bindings } from './bindings.js';
import { pipelineTimestamp, projectFromRemote } from './images.js';
import { SETUP } from './types.js';

export interface SetupInput {
  pipeline: string;
  /** Git remote URL; `project` defaults to its path. */
  remote: string;
  /** Overrides the project derived from `remote` (e.g. `mediawiki/services/citoid`). */
  project?: string;
  commit: string;
  branch?: string;
  /** The checked-out tag when building `refs/tags/<tag>`, else empty. */
  tag?: string;
  /** Pipeline start; the same timestamp serves every stage of the run. */
  startedAt: Date;
  logURL?: string;
  /** Job parameters, bound as `setup.params.<NAME>`. */
  params?: Record<string, string>;
  /** Extra git facts, bound as `setup.GIT_*` (keys must start with `GIT_`). */
  git?: Record<string, string>;
  imageLabels?: Record<string, string>;
  httpProxy?: string;
}

/** The `setup` namespace as key → value, ready to bind. */
export function setupValues(input: SetupInput): Record<string, unknown> {
  const derived = projectFromRemote(input.project ?? input.remote);
  const values: Record<string, unknown> = {
    stage: SETUP,
    pipeline: input.pipeline,
    logURL: input.logURL ?? '',
    project: derived.project,
    projectShortName: derived.projectShortName,
    commit: input.commit,
    branch: input.branch ?? '',
    remote: input.remote,
    tag: input.tag ?? '',
    timestamp: pipelineTimestamp(input.startedAt),
    imageLabels: input.imageLabels ?? { 'ci.project': derived.project, 'ci.pipeline': input.pipeline },
  };
  for (const [name, value] of Object.entries(input.params ?? {})) values[`params.${name}`] = value;
  for (const [name, value] of Object.entries(input.git ?? {})) if (name.startsWith('GIT_')) values[name] = value;
  if (input.httpProxy) values.httpProxy = input.httpProxy;
  return values;
}

/** Binds the setup values (write-once: call it once per run). */
export function bindSetup(bindings: Bindings, input: SetupInput): void {
  for (const [key, value] of Object.entries(setupValues(input))) bindings.bind(SETUP, key, value);
}
