/** The normalized GitLab CI configuration that planning and running see (kokkuri.md §2). */
import type { KeyPath } from '../issues.js';

export type When = 'on_success' | 'always' | 'never' | 'manual' | 'on_failure' | 'delayed';
export const whens: readonly When[] = ['on_success', 'always', 'never', 'manual', 'on_failure', 'delayed'];

export type KokkuriTemplate = 'build-image' | 'build-and-run-image' | 'build-and-publish-image' | 'bake';

export interface IncludeInfo {
  kind: 'kokkuri' | 'local' | 'external';
  /** As written, for messages: `project repos/releng/docpub, file includes/publish.yml`. */
  text: string;
  /** `ref:` or the component version, reported only. */
  version?: string | undefined;
}

export interface Rule {
  /** 1-based, as users count. */
  index: number;
  if?: string | undefined;
  changes?: string[] | undefined;
  exists?: string[] | undefined;
  when?: When | undefined;
  allowFailure?: boolean | undefined;
  variables: Record<string, string>;
}

export interface Need {
  job: string;
  optional: boolean;
  artifacts: boolean;
}

export interface Artifacts {
  paths: string[];
  /** `reports:` kind → paths (junit, coverage_report, dotenv, …). */
  reports: Record<string, string[]>;
  when?: string | undefined;
}

/** Where a job is written, for located errors. */
export interface Origin {
  file: string;
  path: KeyPath;
}

export interface Job {
  name: string;
  stage: string;
  /** Position in the file (jobs keep file order). */
  order: number;
  rules?: Rule[] | undefined;
  when: When;
  allowFailure: boolean;
  needs?: Need[] | undefined;
  dependencies?: string[] | undefined;
  variables: Record<string, string>;
  /** Variables with `expand: false`. */
  raw: Set<string>;
  image?: { name: string; entrypoint?: string[] | undefined } | undefined;
  script: string[];
  beforeScript: string[];
  afterScript: string[];
  /** `parallel:matrix` entries (each value a list) or `parallel: N`. */
  matrix?: Record<string, string[]>[] | undefined;
  parallel?: number | undefined;
  artifacts: Artifacts;
  tags: string[];
  environment?: string | undefined;
  coverage?: string | undefined;
  services: string[];
  kokkuri?: KokkuriTemplate | undefined;
  /** Hidden jobs it extends that come from includes devpipe cannot read. */
  external: string[];
  /** Every hidden job merged into it (extends chain, depth-first). */
  extends: string[];
  origin: Origin;
}

export interface TemplateDoc {
  name: string;
  summary: string;
  requires: string[];
  steps: string[];
}

export interface GitlabConfig {
  file: string;
  stages: string[];
  variables: Record<string, string>;
  raw: Set<string>;
  workflow?: Rule[] | undefined;
  jobs: Job[];
  includes: IncludeInfo[];
  templates: Record<string, TemplateDoc>;
}
