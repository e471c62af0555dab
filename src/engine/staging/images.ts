/**
 * Built here or pinned (R4, R5): the image a chart runs, the name the developer's checkout
 * publishes, and which Blubber variant produces staging's version. Pure: the checkout's files
 * are given as text.
 */
import { parse } from 'yaml';
import { isValuesMap, type Values } from './layers.js';

/** `repos/mediawiki/services/kask`, `wikimedia/mediawiki-services-kask` → `mediawiki-services-kask`. */
export function normalizeImageName(name: string): string {
  return name.replace(/^(wikimedia|repos)\//, '').replaceAll('/', '-');
}

/** True when a reference's first segment is a registry host. */
function hasHost(image: string): boolean {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
}

/** R5: the pinned ref and the bare image name (no registry, no tag). */
export function pinnedRef(values: Values, chartDefaults: Values): { ref: string; name: string; version: string; registry: string } {
  const main = isValuesMap(values.main_app) ? values.main_app : {};
  const image = String(main.image ?? '');
  const version = String(main.version ?? 'latest');
  const chartDocker = isValuesMap(chartDefaults.docker) ? chartDefaults.docker : {};
  // The in-cluster registry name is replaced by the chart default (its public pull name).
  const registry = String(chartDocker.registry ?? (isValuesMap(values.docker) ? values.docker.registry : '') ?? '');
  if (hasHost(image)) return { ref: `${image}:${version}`, name: image.split('/').slice(1).join('/'), version, registry: image.split('/')[0] ?? '' };
  return { ref: `${registry ? `${registry}/` : ''}${image}:${version}`, name: image, version, registry };
}

export interface Checkout {
  /** The name its images are published under (normalized), and how that was found. */
  published: { name: string; from: string } | undefined;
  /** `.pipeline/config.yaml` parsed, if any. */
  pipelines: Values | undefined;
}

/** `https://gerrit.wikimedia.org/r/mediawiki/services/kask.git` → `mediawiki/services/kask`. */
export function projectFromRemote(gitConfig: string | undefined): string | undefined {
  if (!gitConfig) return undefined;
  const m = /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(gitConfig);
  if (!m?.[1]) return undefined;
  const url = m[1].replace(/\.git$/, '');
  const pathPart = /^[a-z+]+:\/\//.test(url) ? url.replace(/^[a-z+]+:\/\/[^/]+\//, '') : url.replace(/^[^:]*:/, '');
  return pathPart.replace(/^r\//, '');
}

export function readCheckout(files: { pipeline?: string | undefined; gitlab?: string | undefined; gitConfig?: string | undefined; directory: string }): Checkout {
  let pipelines: Values | undefined;
  try {
    const doc = files.pipeline ? (parse(files.pipeline) as unknown) : undefined;
    if (isValuesMap(doc) && isValuesMap(doc.pipelines)) pipelines = doc.pipelines;
  } catch {
    pipelines = undefined;
  }
  for (const pipeline of Object.values(pipelines ?? {})) {
    for (const stage of isValuesMap(pipeline) && Array.isArray(pipeline.stages) ? pipeline.stages : []) {
      const image = isValuesMap(stage) && isValuesMap(stage.publish) && isValuesMap(stage.publish.image) ? stage.publish.image : undefined;
      if (image && typeof image.name === 'string') return { published: { name: normalizeImageName(image.name), from: '.pipeline/config.yaml publish.image.name' }, pipelines };
    }
  }
  const kokkuri = files.gitlab ? /PUBLISH_IMAGE_NAME:\s*["']?([^"'\s]+)/.exec(files.gitlab)?.[1] : undefined;
  if (kokkuri && !kokkuri.includes('$')) return { published: { name: normalizeImageName(kokkuri), from: '.gitlab-ci.yml PUBLISH_IMAGE_NAME' }, pipelines };
  const remote = projectFromRemote(files.gitConfig);
  if (remote) return { published: { name: normalizeImageName(remote), from: `git remote origin (${remote})` }, pipelines };
  // A corpus-style directory name `owner__name` counts as its repository name.
  const dir = files.directory.includes('__') ? files.directory.split('__').slice(1).join('__') : files.directory;
  return { published: { name: normalizeImageName(dir), from: `the checkout's directory name` }, pipelines };
}

interface StageRef {
  pipeline: string;
  stage: string;
  variant: string | undefined;
  tags: string[];
}

function stages(pipelines: Values | undefined): StageRef[] {
  const out: StageRef[] = [];
  for (const [pipeline, spec] of Object.entries(pipelines ?? {})) {
    for (const stage of isValuesMap(spec) && Array.isArray(spec.stages) ? spec.stages : []) {
      if (!isValuesMap(stage) || typeof stage.name !== 'string') continue;
      const build = stage.build;
      const variant = typeof build === 'string' ? build : isValuesMap(build) && typeof build.variant === 'string' ? build.variant : undefined;
      const image = isValuesMap(stage.publish) && isValuesMap(stage.publish.image) ? stage.publish.image : undefined;
      const tags = image && Array.isArray(image.tags) ? image.tags.map(String) : [];
      out.push({ pipeline, stage: stage.name, variant, tags });
    }
  }
  return out;
}

/**
 * R4: the variant producing staging's version. `<YYYY-MM-DD-HHMMSS>-<stage>` → that stage (or
 * its dash-prefixes); a git tag → the stage publishing `${setup.tag}`; else `production`.
 */
export function variantFor(version: string, pipelines: Values | undefined): { variant: string; why: string; note?: string } {
  const all = stages(pipelines);
  const m = /^\d{4}-\d{2}-\d{2}-\d{6}-(.+)$/.exec(version);
  if (m?.[1]) {
    const parts = m[1].split('-');
    for (let n = parts.length; n > 0; n--) {
      const name = parts.slice(0, n).join('-');
      const hit = all.find((s) => s.stage === name && s.variant);
      if (hit?.variant) return { variant: hit.variant, why: `version ${version}: stage "${name}" of pipeline "${hit.pipeline}" builds variant "${hit.variant}"` };
    }
    if (all.length === 0) return { variant: 'production', why: `version ${version}`, note: 'no .pipeline/config.yaml: variant production assumed' };
    return { variant: 'production', why: `version ${version}`, note: `no pipeline stage named "${m[1]}" builds a variant: variant production assumed` };
  }
  const tagged = all.find((s) => s.variant && s.tags.some((t) => t.includes('${setup.tag}')));
  if (tagged?.variant) return { variant: tagged.variant, why: `version ${version} is a git tag: stage "${tagged.stage}" of pipeline "${tagged.pipeline}" publishes \${setup.tag} and builds variant "${tagged.variant}"` };
  return { variant: 'production', why: `version ${version}`, note: `no stage publishes \${setup.tag}: variant production assumed` };
}
