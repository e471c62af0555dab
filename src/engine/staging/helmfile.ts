/**
 * A service's helmfile (`helmfile.d/services/<svc>/helmfile.yaml`): which releases staging
 * installs, which chart, the namespace and the ordered values list. Helmfiles are Go templates;
 * devpipe substitutes the environment name, marks the release placeholder and blanks any other
 * action, then reads the YAML (anchors and `<<` merges included). Pure.
 */
import { parseAllDocuments } from 'yaml';
import { isValuesMap } from './layers.js';

export const RELEASE_PLACEHOLDER = '__DEVPIPE_RELEASE__';

export interface Helmfile {
  releases: string[] | undefined;
  /** Names of every release declared (any environment). */
  declared: string[];
  chart: string | undefined;
  namespace: string | undefined;
  /** The values entries of the (first) release, in order, with the environment substituted. */
  values: string[];
  /** Environments declared. */
  environments: string[];
  /** Line of `environments:` (or 1), for messages. */
  environmentsLine: number;
}

export function neutralize(text: string, environment: string): string {
  return text
    .replace(/\{\{`\{\{\s*\.Release\.Name\s*\}\}`\}\}/g, RELEASE_PLACEHOLDER)
    .replace(/\{\{\s*\.Environment\.Name\s*\}\}/g, environment)
    .replace(/\{\{`[\s\S]*?`\}\}/g, 'TPL')
    .replace(/\{\{[\s\S]*?\}\}/g, 'TPL');
}

export function readHelmfile(text: string, environment: string): Helmfile {
  const docs = parseAllDocuments(neutralize(text, environment), { merge: true, uniqueKeys: false });
  const list = (Array.isArray(docs) ? docs : [docs]).map((d) => d.toJS({ maxAliasCount: 1000 }) as unknown).filter(isValuesMap);
  let releases: string[] | undefined;
  const environments: string[] = [];
  let values: string[] = [];
  let chart: string | undefined;
  let namespace: string | undefined;
  const declared: string[] = [];
  for (const doc of list) {
    const envs = doc.environments;
    if (isValuesMap(envs)) {
      environments.push(...Object.keys(envs));
      const env = envs[environment];
      if (isValuesMap(env) && Array.isArray(env.values)) {
        for (const entry of env.values) if (isValuesMap(entry) && Array.isArray(entry.releases)) releases = entry.releases.map(String);
      }
    }
    if (Array.isArray(doc.releases)) {
      for (const release of doc.releases) {
        if (!isValuesMap(release)) continue;
        if (typeof release.name === 'string') declared.push(release.name);
        chart ??= typeof release.chart === 'string' ? release.chart : undefined;
        namespace ??= typeof release.namespace === 'string' ? release.namespace : undefined;
        if (values.length === 0 && Array.isArray(release.values)) values = release.values.filter((v): v is string => typeof v === 'string');
      }
    }
  }
  const line = text.split('\n').findIndex((l) => /^environments:/.test(l));
  return { releases, declared, chart, namespace, values, environments, environmentsLine: line >= 0 ? line + 1 : 1 };
}

/** `wmf-stable/citoid` → `citoid` (CI replaces the repository by `charts/<chart>`). */
export function chartName(ref: string): string {
  return ref.split('/').pop() ?? ref;
}

/** R1: one release, or the one not named test/canary, or the one asked for. */
export function pickRelease(releases: readonly string[], asked: string | undefined): string | undefined {
  if (asked !== undefined) return releases.includes(asked) ? asked : undefined;
  if (releases.length === 1) return releases[0];
  return releases.find((r) => r !== 'test' && r !== 'canary') ?? releases[0];
}
