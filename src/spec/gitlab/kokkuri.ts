/**
 * What a Kokkuri job does locally (kokkuri.md §1.8), decided from its expanded variables: the
 * Blubber variant and file, the build context (a remote context builds the local checkout), the
 * platforms, the two BUILDCTL_BUILD_FLAGS forms devpipe translates, RUN_ARGUMENTS, the published
 * local refs and the dotenv report. Pure; configuration problems are thrown as KokkuriError.
 */
import { bakeTargets, BakeError, type BakeTarget } from './bake.js';
import type { KokkuriTemplate } from './types.js';

export class KokkuriError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface PublishPlan {
  name: string;
  tags: string[];
  /** `<local registry>/<name>:<tag>` per tag. */
  refs: string[];
}

export interface BakePlan {
  file: string;
  targets: (BakeTarget & { refs: string[] })[];
}

export interface KokkuriAction {
  template: KokkuriTemplate;
  variant?: string | undefined;
  blubberFile: string;
  /** Relative to the repository root; `.` for the checkout. */
  contextDir: string;
  remoteContext?: string | undefined;
  platforms: string[];
  buildArgs: Record<string, string>;
  /** `--output type=local,dest=DIR`: the image's filesystem goes to DIR (repository-relative). */
  outputDir?: string | undefined;
  runArguments?: string[] | undefined;
  runEnvironment?: Record<string, string> | undefined;
  publish?: PublishPlan | undefined;
  bake?: BakePlan | undefined;
  /** Variables the dotenv report exports to later jobs. */
  dotenv: Record<string, string>;
  /** What CI would do that devpipe does not (runner-only). */
  notApplicable: string[];
  warnings: string[];
}

/** `<JOB>_` prefix: every character outside [A-Za-z0-9_] becomes `_`, upper-cased (devpipe's rule for matrix names). */
export function dotenvPrefix(jobName: string): string {
  return jobName.replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
}

/** Ref names → tag-safe text (pre-Kokkuri blubber: `tr -c 'a-zA-Z0-9_.-' -`, max 128). */
export function tagSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 128);
}

/** Shell-like split of BUILDCTL_BUILD_FLAGS (quotes group words). */
export function splitFlags(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

export function buildctlFlags(text: string): { buildArgs: Record<string, string>; outputDir?: string | undefined } {
  const words = splitFlags(text);
  const buildArgs: Record<string, string> = {};
  let outputDir: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const [flag, inline] = word.includes('=') && word.startsWith('--') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const value = inline ?? words[++i];
    if (value === undefined) throw new KokkuriError(`BUILDCTL_BUILD_FLAGS: ${flag} needs a value`);
    if (flag === '--output' || flag === '-o') {
      const fields = Object.fromEntries(value.split(',').map((kv) => [kv.split('=')[0], kv.slice(kv.indexOf('=') + 1)]));
      if (fields.type !== 'local' || !fields.dest) throw new KokkuriError(`BUILDCTL_BUILD_FLAGS: --output ${value} is not supported locally`, 'devpipe translates --output type=local,dest=DIR (and --opt build-arg:K=V)');
      outputDir = fields.dest;
    } else if (flag === '--opt' && value.startsWith('build-arg:')) {
      const kv = value.slice('build-arg:'.length);
      buildArgs[kv.split('=')[0]!] = kv.slice(kv.indexOf('=') + 1);
    } else {
      throw new KokkuriError(`BUILDCTL_BUILD_FLAGS: \`${flag} ${value}\` is not supported by devpipe`, 'devpipe translates --output type=local,dest=DIR and --opt build-arg:K=V; remove other flags or override with --var BUILDCTL_BUILD_FLAGS=...');
    }
  }
  return { buildArgs, outputDir };
}

function safePath(dir: string, what: string): string {
  const parts = dir.split('/').filter((p) => p !== '' && p !== '.');
  if (dir.startsWith('/') || parts.includes('..')) throw new KokkuriError(`${what} \`${dir}\` must stay inside the repository`, 'use a relative path without `..`');
  return parts.join('/') || '.';
}

function jsonArgs(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KokkuriError(`RUN_ARGUMENTS must be a JSON array of strings, got ${JSON.stringify(text)}`, `write it as a JSON array: RUN_ARGUMENTS: '["${text.replace(/"/g, '')}"]'`);
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new KokkuriError(`RUN_ARGUMENTS must be a JSON array of strings, got ${text}`, `for example RUN_ARGUMENTS: '["test"]'`);
  return value as string[];
}

const validTag = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const validName = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

export interface ActionContext {
  jobName: string;
  template: KokkuriTemplate;
  vars: Record<string, string>;
  tags: string[];
  /** Reads a repository file (the bake file); undefined when missing. */
  readFile: (path: string) => string | undefined;
}

/** The local registry prefix R (devpipe's choice: `localhost`, --var DEVPIPE_LOCAL_REGISTRY=…). */
export function localRegistry(vars: Record<string, string>): string {
  return (vars.DEVPIPE_LOCAL_REGISTRY ?? 'localhost').replace(/\/+$/, '');
}

export function kokkuriAction(ctx: ActionContext): KokkuriAction {
  const v = ctx.vars;
  const notApplicable: string[] = [];
  const warnings: string[] = [];
  if (ctx.tags.includes('trusted')) notApplicable.push('needs a `trusted` runner upstream (tags: [trusted]); devpipe runs it locally');
  const context = v.BUILD_CONTEXT ?? '.';
  const remote = /^[a-z][a-z0-9+.-]*:\/\/|#|^\$\{?CI_REPOSITORY_URL/.test(context) ? context : undefined;
  if (remote) notApplicable.push(`remote build context ${context}: devpipe builds the local checkout instead`);
  if (v.GIT_STRATEGY === 'none') notApplicable.push('GIT_STRATEGY: none (no runner checkout); devpipe uses the local checkout');
  if (v.BUILD_FRONTEND) notApplicable.push(`BUILD_FRONTEND ${v.BUILD_FRONTEND}: devpipe builds with its own Blubber compiler`);
  if ((v.PUBLISH_PROVENANCE ?? '') === 'yes') notApplicable.push('PUBLISH_PROVENANCE: no provenance attestation locally');
  const platforms = (v.BUILD_TARGET_PLATFORMS ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  for (const known of Object.keys(v)) {
    if (/^(BUILD|PUBLISH|RUN)_/.test(known) && !['BUILD_VARIANT', 'BUILD_CONTEXT', 'BUILD_FRONTEND', 'BUILD_TARGET_PLATFORMS', 'BUILD_TARGETS', 'PUBLISH_IMAGE_NAME', 'PUBLISH_IMAGE_TAG', 'PUBLISH_IMAGE_EXTRA_TAGS', 'PUBLISH_PROVENANCE', 'RUN_ARGUMENTS'].includes(known)) {
      warnings.push(`${known} is not a Kokkuri variable devpipe knows (a typo?)`);
    }
  }
  const base: KokkuriAction = {
    template: ctx.template,
    blubberFile: safePath(v.DEVPIPE_BLUBBER_CONFIG ?? '.pipeline/blubber.yaml', 'DEVPIPE_BLUBBER_CONFIG'),
    contextDir: remote ? '.' : safePath(context, 'BUILD_CONTEXT'),
    remoteContext: remote,
    platforms,
    buildArgs: {},
    dotenv: {},
    notApplicable,
    warnings,
  };
  const registry = localRegistry(v);
  const prefix = dotenvPrefix(ctx.jobName);
  if (ctx.template === 'bake') return { ...base, bake: bakePlan(ctx, registry, prefix, base) };

  const variant = v.BUILD_VARIANT ?? '';
  if (variant === '') throw new KokkuriError('BUILD_VARIANT is empty', 'set BUILD_VARIANT to a variant of the Blubber file');
  const flags = buildctlFlags(v.BUILDCTL_BUILD_FLAGS ?? '');
  const action: KokkuriAction = { ...base, variant, buildArgs: flags.buildArgs, outputDir: flags.outputDir === undefined ? undefined : safePath(flags.outputDir, '--output dest') };
  if (ctx.template === 'build-and-run-image') {
    action.runArguments = jsonArgs(v.RUN_ARGUMENTS ?? '[]');
    const env = v.DEVPIPE_RUN_ENVIRONMENT ?? '{}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(env);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new KokkuriError(`DEVPIPE_RUN_ENVIRONMENT must be a JSON object, got ${JSON.stringify(env)}`);
    action.runEnvironment = Object.fromEntries(Object.entries(parsed).map(([k, x]) => [k, String(x)]));
  }
  if (ctx.template === 'build-and-publish-image') {
    const name = v.PUBLISH_IMAGE_NAME ?? v.IMAGE_NAME ?? v.CI_PROJECT_PATH ?? '';
    if (!validName.test(name)) throw new KokkuriError(`PUBLISH_IMAGE_NAME \`${name}\` is not a valid image name`, 'lower-case path components (a-z, 0-9, . _ -) separated by /');
    const primary = v.PUBLISH_IMAGE_TAG === undefined ? '' : v.PUBLISH_IMAGE_TAG;
    if (primary === '') throw new KokkuriError('PUBLISH_IMAGE_TAG is empty in this pipeline', 'set it (e.g. $CI_COMMIT_SHA) or pass --var PUBLISH_IMAGE_TAG=...');
    const tags = [tagSafe(primary)];
    for (const extra of (v.PUBLISH_IMAGE_EXTRA_TAGS ?? '').split(',').map((t) => t.trim())) {
      if (extra === '' || tags.includes(extra)) continue; // `stable,$CI_COMMIT_TAG` outside a tag pipeline: the empty item is dropped.
      if (!validTag.test(extra)) throw new KokkuriError(`PUBLISH_IMAGE_EXTRA_TAGS: \`${extra}\` is not a valid tag`);
      tags.push(extra);
    }
    const refs = tags.map((t) => `${registry}/${name}:${t}`);
    action.publish = { name, tags, refs };
    action.dotenv[`${prefix}_IMAGE_REF`] = refs[0]!;
  }
  return action;
}

function bakePlan(ctx: ActionContext, registry: string, prefix: string, base: KokkuriAction): BakePlan {
  const v = ctx.vars;
  const file = safePath(v.DEVPIPE_BAKE_FILE ?? 'bake.hcl', 'DEVPIPE_BAKE_FILE');
  const text = ctx.readFile(file);
  if (text === undefined) throw new KokkuriError(`no bake file ${file}`, 'Kokkuri bakes the project bake file; point --var DEVPIPE_BAKE_FILE=... at it');
  const requested = (v.BUILD_TARGETS ?? 'default').split(/\s+/).filter(Boolean);
  const env: Record<string, string> = { ...v, REGISTRY: `${registry}/${v.CI_PROJECT_PATH ?? ''}` };
  if (base.remoteContext) env.BUILD_CONTEXT = '.';
  let targets: BakeTarget[];
  try {
    targets = bakeTargets(text, requested, env);
  } catch (error) {
    if (error instanceof BakeError) throw new KokkuriError(`${file}:${error.line}:${error.col}: ${error.message}`);
    throw error;
  }
  return {
    file,
    targets: targets.map((target) => {
      const refs = target.output.type === 'registry' ? target.tags : [];
      if (refs[0]) base.dotenv[`${prefix}_${dotenvPrefix(target.name)}_IMAGE_REF`] = refs[0];
      if (target.attest.length > 0) base.notApplicable.push(`bake target ${target.name}: attestations (${target.attest.join('; ')}) are not made locally`);
      return { ...target, context: safePath(target.context, `bake target ${target.name} context`), refs };
    }),
  };
}
