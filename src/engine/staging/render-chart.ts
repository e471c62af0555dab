/**
 * Rendering a chart the way Helm would (devpipe's own Go-template reader, no helm binary needed):
 * every define of `templates/` (vendor modules included) is loaded, each top-level manifest
 * template is rendered with the layered values, and the result is read as Kubernetes objects.
 * A template that cannot be rendered is reported, never guessed. Pure.
 */
import { parseAllDocuments } from 'yaml';
import { loadDefines, renderTemplate, type RenderContext } from '../../spec/charts/gotemplate/render.js';
import { isValuesMap, type Values } from './layers.js';

export interface ChartFiles {
  /** `templates/...` relative paths and texts. */
  templates: { name: string; text: string }[];
  chartYaml: Values;
  /** Other files of the chart (`config/…`), for `.Files.Get`. */
  other?: ReadonlyMap<string, string> | undefined;
}

export interface Manifest {
  kind: string;
  name: string;
  /** The template that produced it. */
  template: string;
  body: Values;
}

export interface RenderedChart {
  manifests: Manifest[];
  /** `template: reason` for every template that could not be rendered or read. */
  errors: string[];
}

export function helmData(values: Values, chart: Values, release: string, namespace: string, chartFiles: ReadonlyMap<string, string> = new Map()): Values {
  return {
    Files: { Get: (name: unknown) => chartFiles.get(String(name)) ?? '' },
    Values: values,
    Release: { Name: release, Namespace: namespace, Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion, Description: chart.description },
    Capabilities: { KubeVersion: { Version: 'v1.31.2', Major: '1', Minor: '31' }, APIVersions: [] },
    Template: { Name: '', BasePath: 'templates' },
  };
}

/** Manifest templates Helm renders (top level, not `_*`, not NOTES.txt); tests/ and vendor/ are dropped anyway. */
export function manifestTemplates(files: ChartFiles['templates']): ChartFiles['templates'] {
  return files.filter((f) => /^templates\/[^/]+\.(yaml|yml|tpl)$/.test(f.name) && !/^templates\/_/.test(f.name));
}

export function renderChart(files: ChartFiles, data: Values): RenderedChart {
  const loaded = loadDefines(files.templates);
  const errors = [...loaded.errors];
  const ctx: RenderContext = { defines: loaded.defines, missing: new Set() };
  const manifests: Manifest[] = [];
  for (const file of manifestTemplates(files.templates)) {
    let text: string;
    try {
      text = renderTemplate(file.text, { ...data, Template: { Name: file.name, BasePath: 'templates' } }, ctx);
    } catch (error) {
      errors.push(`${file.name}: ${(error as Error).message}`);
      continue;
    }
    const docs = parseAllDocuments(text);
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      if (doc.errors.length > 0) {
        errors.push(`${file.name}: the rendered manifest is not YAML (${doc.errors[0]?.message.split('\n')[0] ?? ''})`);
        continue;
      }
      const body = doc.toJS() as unknown;
      if (!isValuesMap(body) || typeof body.kind !== 'string') continue;
      const meta = isValuesMap(body.metadata) ? body.metadata : {};
      manifests.push({ kind: body.kind, name: String(meta.name ?? ''), template: file.name, body });
    }
  }
  return { manifests, errors };
}
