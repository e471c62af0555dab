/**
 * Blubber's semantic rules (config/validation.go), run on the unexpanded, schema-valid config:
 * every variant is checked, including ones not being built (as Blubber does). Each rule reports
 * the key path of the offending value; load.ts turns paths into file:line:col.
 *
 * The rules that only make sense after includes are merged (builders vs standalone builders,
 * command vs script coming from different levels) run again in expand.ts.
 */
import type { KeyPath } from '../issues.js';
import { nearest } from '../issues.js';
import {
  debianComponentPattern,
  debianPackagePattern,
  debianReleasePattern,
  envVarNamePattern,
  isAbsoluteNonRoot,
  isHttpUrl,
  isImageReference,
  isRelativeLocal,
  nodeEnvPattern,
  pythonSpecifierPattern,
  userNamePattern,
  variantNamePattern,
} from './patterns.js';
import {
  builderKindOf,
  LOCAL_CONTEXT,
  type Apt,
  type Artifact,
  type BlubberConfig,
  type Cache,
  type Common,
  type CustomBuilder,
  type Mount,
  type Variant,
} from './schema.js';

export interface IssueSink {
  error(path: KeyPath, message: string, hint?: string, options?: { atKey?: boolean }): void;
  warning(path: KeyPath, message: string, hint?: string, options?: { atKey?: boolean }): void;
}

interface RuleContext {
  sink: IssueSink;
  variants: readonly string[];
}

/** Checks the whole (unexpanded) config. */
export function checkConfig(config: BlubberConfig, sink: IssueSink): void {
  const variants = Object.keys(config.variants);
  const ctx: RuleContext = { sink, variants };
  checkCommon(ctx, config, []);
  for (const [name, variant] of Object.entries(config.variants)) checkVariant(ctx, name, variant);
}

/** Checks one variant (name, includes, copies and its common fields). */
function checkVariant(ctx: RuleContext, name: string, variant: Variant): void {
  const at: KeyPath = ['variants', name];
  if (!variantNamePattern.test(name)) {
    ctx.sink.error(at, `bad variant name "${name}"`, 'a variant name starts with a letter, ends with a letter or digit, has at least 3 characters and only letters, digits, "-" and "." (no "_")', { atKey: true });
  }
  if (name === LOCAL_CONTEXT) {
    ctx.sink.warning(at, 'a variant named "local" can be included but never copied from', '`from: local` always means the build context; rename the variant to copy from it', { atKey: true });
  }
  (variant.includes ?? []).forEach((include, i) => {
    if (include === LOCAL_CONTEXT || ctx.variants.includes(include)) return;
    const guess = nearest(include, ctx.variants);
    ctx.sink.error([...at, 'includes', i], `references an unknown variant "${include}"`, guess ? `did you mean "${guess}"?` : `defined variants: ${ctx.variants.join(', ') || '(none)'}`);
  });
  if (variant.copies) {
    variant.copies.forEach((copy, i) => checkArtifact(ctx, copy, [...at, 'copies', i]));
    checkUnique(ctx, variant.copies, [...at, 'copies'], artifactKey);
  }
  checkCommon(ctx, variant, at);
}

function checkCommon(ctx: RuleContext, common: Common, at: KeyPath): void {
  const { sink } = ctx;
  if (common.base !== undefined && common.base !== '' && !isImageReference(common.base)) {
    sink.error([...at, 'base'], `"${common.base}" is not a valid image reference`, 'an image reference is lowercase `[registry/]path[:tag][@digest]`, e.g. docker-registry.wikimedia.org/bookworm:20240101');
  }
  checkEnvNames(ctx, common.arguments, [...at, 'arguments']);
  if (common.apt) checkApt(ctx, common.apt, [...at, 'apt']);
  if (common.node) {
    checkRequirements(ctx, common.node.requirements, [...at, 'node', 'requirements']);
    if (common.node.env !== undefined && common.node.env !== '' && !nodeEnvPattern.test(common.node.env)) {
      sink.error([...at, 'node', 'env'], `"${common.node.env}" is not a valid Node environment name`, 'NODE_ENV names are letters and digits only, e.g. production or development');
    }
  }
  if (common.python) {
    checkRequirements(ctx, common.python.requirements, [...at, 'python', 'requirements']);
    const poetry = common.python.poetry?.version;
    if (poetry !== undefined && poetry !== '' && !pythonSpecifierPattern.test(poetry)) {
      const bare = /^[0-9]/.test(poetry);
      sink.error([...at, 'python', 'poetry', 'version'], `"${poetry}" is not a valid Python package version specification`, bare ? `add a comparator: "==${poetry}" (or "~=${poetry}")` : 'use comparators without spaces, e.g. "==1.5.1" or ">=1.2,<2"');
    }
  }
  if (common.php) checkRequirements(ctx, common.php.requirements, [...at, 'php', 'requirements']);
  if (common.builder) checkCustom(ctx, common.builder, [...at, 'builder']);
  if (common.builders) {
    const seen = new Map<string, number>();
    common.builders.forEach((entry, i) => {
      const kind = builderKindOf(entry);
      const path: KeyPath = [...at, 'builders', i, kind];
      if (kind === 'custom' && entry.custom) checkCustom(ctx, entry.custom, path);
      else {
        const builder = entry[kind] as { requirements?: Artifact[] } | undefined;
        checkRequirements(ctx, builder?.requirements, [...path, 'requirements']);
        if (kind === 'node' && entry.node?.env && !nodeEnvPattern.test(entry.node.env)) {
          sink.error([...path, 'env'], `"${entry.node.env}" is not a valid Node environment name`, 'NODE_ENV names are letters and digits only, e.g. production');
        }
        const poetry = entry.python?.poetry?.version;
        if (kind === 'python' && poetry && !pythonSpecifierPattern.test(poetry)) {
          sink.error([...path, 'poetry', 'version'], `"${poetry}" is not a valid Python package version specification`, /^[0-9]/.test(poetry) ? `add a comparator: "==${poetry}"` : 'e.g. "==1.5.1" or ">=1.2,<2"');
        }
        const first = seen.get(kind);
        if (first !== undefined) {
          sink.error([...at, 'builders', i], `contains disallowed repetitions of entries: "${kind}" already appears at builders[${first}]`, `each of node, python and php may appear once in builders (custom any number of times); merge the two ${kind} entries`);
        } else seen.set(kind, i);
      }
    });
    const standalone = (['node', 'php', 'python', 'builder'] as const).filter((key) => common[key] !== undefined);
    if (standalone.length > 0) {
      sink.error([...at, 'builders'], `is not allowed together with ${standalone.map((s) => `"${s}"`).join(', ')} at the same level`, 'use either the `builders` list or the standalone node/php/python/builder keys, not both (move them into `builders`)', { atKey: true });
    }
  }
  if (common.lives) {
    checkAbsPath(ctx, common.lives.in, [...at, 'lives', 'in']);
    checkUserName(ctx, common.lives.as, [...at, 'lives', 'as']);
  }
  if (common.runs) {
    checkAbsPath(ctx, common.runs.in, [...at, 'runs', 'in']);
    checkUserName(ctx, common.runs.as, [...at, 'runs', 'as']);
    checkEnvNames(ctx, common.runs.environment, [...at, 'runs', 'environment']);
  }
}

function checkApt(ctx: RuleContext, apt: Apt, at: KeyPath): void {
  const { sink } = ctx;
  const packages = apt.packages;
  const checkList = (list: string[], path: KeyPath): void =>
    list.forEach((pkg, i) => {
      if (!debianPackagePattern.test(pkg)) {
        sink.error([...path, i], `"${pkg}" is not a valid Debian package name`, 'package names are lowercase letters, digits, "+", "-" and ".", optionally pinned as name=version or name/release');
      }
    });
  if (Array.isArray(packages)) checkList(packages, [...at, 'packages']);
  else if (packages) {
    for (const [release, list] of Object.entries(packages)) {
      if (release !== 'default' && !debianReleasePattern.test(release)) {
        sink.error([...at, 'packages', release], `"${release}" is not a valid Debian release name`, 'use a release name such as bookworm-backports, or `default`', { atKey: true });
      }
      checkList(list, [...at, 'packages', release]);
    }
  }
  (apt.sources ?? []).forEach((source, i) => {
    const path: KeyPath = [...at, 'sources', i];
    if (!isHttpUrl(source.url)) sink.error([...path, 'url'], `"${source.url}" is not a valid HTTP/HTTPS URL`, 'APT sources are http:// or https:// URLs');
    if (source.distribution === undefined || source.distribution === '') {
      sink.error(path, 'distribution: is required', 'name the distribution of the source, e.g. `distribution: bookworm-wikimedia`');
    } else if (!debianReleasePattern.test(source.distribution)) {
      sink.error([...path, 'distribution'], `"${source.distribution}" is not a valid Debian release name`, 'e.g. bookworm or bookworm-backports');
    }
    (source.components ?? []).forEach((component, j) => {
      if (!debianComponentPattern.test(component)) sink.error([...path, 'components', j], `"${component}" is not a valid Debian component name`, 'e.g. main, contrib or thirdparty/confluent');
    });
  });
  (apt.proxies ?? []).forEach((proxy, i) => {
    const path: KeyPath = [...at, 'proxies', i];
    const isObject = typeof proxy.source === 'string';
    if (!isHttpUrl(proxy.url)) sink.error(isObject ? [...path, 'url'] : path, `"${proxy.url}" is not a valid HTTP/HTTPS URL`, 'proxies are http:// or https:// URLs, e.g. http://webproxy:8080');
    if (proxy.source !== undefined && !isHttpUrl(proxy.source)) sink.error([...path, 'source'], `"${proxy.source}" is not a valid HTTP/HTTPS URL`, 'the source is the http(s) URL of the APT source this proxy is for');
  });
}

function checkCustom(ctx: RuleContext, builder: CustomBuilder, at: KeyPath): void {
  checkCommandScript(ctx.sink, builder, at);
  checkRequirements(ctx, builder.requirements, [...at, 'requirements']);
  if (builder.mounts) checkUnique(ctx, builder.mounts, [...at, 'mounts'], mountKey);
  if (builder.caches) checkUnique(ctx, builder.caches, [...at, 'caches'], cacheKey);
}

/** `command` and `script` exclude each other (reported on both keys, like Blubber). */
export function checkCommandScript(sink: IssueSink, builder: CustomBuilder, at: KeyPath, origin = ''): void {
  if (builder.command === undefined || builder.script === undefined) return;
  const hint = 'a builder runs either a `command` or a `script`; split them into two `builders: [{custom: …}]` entries';
  sink.error([...at, 'command'], `is not allowed if "script" is declared${origin}`, hint, { atKey: true });
  sink.error([...at, 'script'], `is not allowed if "command" is declared${origin}`, hint, { atKey: true });
}

function checkRequirements(ctx: RuleContext, list: Artifact[] | undefined, at: KeyPath): void {
  if (!list) return;
  list.forEach((artifact, i) => checkArtifact(ctx, artifact, [...at, i]));
  checkUnique(ctx, list, at, artifactKey);
}

function checkArtifact(ctx: RuleContext, artifact: Artifact, at: KeyPath): void {
  const { sink } = ctx;
  const { from } = artifact;
  if (from === '') {
    sink.error([...at, 'from'], 'is required', 'name where to copy from: `local` (the project), a variant, or an image');
  } else if (from !== LOCAL_CONTEXT && !ctx.variants.includes(from)) {
    const guess = nearest(from, ctx.variants);
    if (!isImageReference(from)) {
      sink.error(at, `"${from}" is not a valid image reference or known variant`, guess ? `did you mean the variant "${guess}"?` : `use \`local\`, one of the variants (${ctx.variants.join(', ') || 'none'}) or an image reference`);
    } else if (guess !== undefined && !from.includes('/') && !from.includes(':')) {
      sink.warning(at, `"${from}" is not a defined variant, so it is read as an image reference`, `did you mean the variant "${guess}"?`);
    }
  }
  const hasDestination = artifact.destination !== undefined && artifact.destination !== '';
  const hasSource = artifact.source !== undefined && artifact.source !== '';
  if (hasDestination && !hasSource) {
    sink.error([...at, 'destination'], 'source: is required if "destination" is also set', 'add `source:` (the path to copy); `destination` alone says nowhere what to copy', { atKey: true });
  }
  if (from === LOCAL_CONTEXT && hasSource && !isRelativeLocal(artifact.source ?? '')) {
    sink.error([...at, 'source'], `path must be relative when "from" is "local" (got "${artifact.source}")`, 'local sources are paths inside the project directory, e.g. `src/` or `package.json`, and may not go up with `..`');
  }
}

function checkUnique<T>(ctx: RuleContext, list: readonly T[], at: KeyPath, key: (item: T) => string): void {
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first !== undefined) {
      ctx.sink.error([...at, i], `cannot contain duplicates: same as [${first}]`, 'remove the repeated entry');
    } else seen.set(k, i);
  });
}

export function artifactKey(a: Artifact): string {
  return JSON.stringify([a.from, a.source ?? '', a.destination ?? '', a.exclude ?? []]);
}
function mountKey(m: Mount): string {
  return JSON.stringify([m.from, m.source ?? '', m.destination ?? '']);
}
function cacheKey(c: Cache): string {
  return JSON.stringify([c.destination, c.id ?? '', c.access ?? '']);
}

function checkAbsPath(ctx: RuleContext, value: string | undefined, at: KeyPath): void {
  if (value === undefined || value === '') return;
  if (!isAbsoluteNonRoot(value)) ctx.sink.error(at, `"${value}" is not a valid absolute non-root path`, value === '/' || value.replace(/\/+$/, '') === '' ? 'use a directory below /, e.g. /srv/app' : `use an absolute path, e.g. /${value.replace(/^\.?\/*/, '')}`);
}

function checkUserName(ctx: RuleContext, value: string | undefined, at: KeyPath): void {
  if (value === undefined || value === '') return;
  if (value === 'root') {
    ctx.sink.error(at, '"root" is not a valid user name', 'Blubber never runs as root; to keep the build user at runtime set `runs.insecurely: true`');
  } else if (!userNamePattern.test(value)) {
    ctx.sink.error(at, `"${value}" is not a valid user name`, 'user names start with a letter, have at least 3 characters: letters, digits, "-" and "."');
  }
}

function checkEnvNames(ctx: RuleContext, map: Record<string, string> | undefined, at: KeyPath): void {
  for (const name of Object.keys(map ?? {})) {
    if (!envVarNamePattern.test(name)) {
      ctx.sink.error([...at, name], `"${name}" is not a valid environment variable name`, 'names are letters, digits and "_", do not start with a digit, and have at least 2 characters (Blubber rejects single-letter names)', { atKey: true });
    }
  }
}
