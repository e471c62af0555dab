/** Types shared by the staging importer's steps (a file below all of them). */
import type { Layer, Values } from './layers.js';

export type RoutePolicy = 'offline' | 'online';

export interface ImportOptions {
  environment: string;
  /** The release of the root service (`--release`). */
  release?: string | undefined;
  routes: RoutePolicy;
  /** The general (SRE) values, relative to the charts checkout. */
  generalFile: string;
  /** A listener definitions file read instead of `services_proxy` (`--listeners`). */
  listeners?: { file: string; text: string } | undefined;
  /** Charts whose services are never run locally (default: mediawiki). */
  externalCharts: string[];
  /** What the developer's checkout publishes (undefined: no checkout). */
  checkout?: { published: { name: string; from: string } | undefined; pipelines: Values | undefined } | undefined;
  /** Publish each service's port on this machine (same number). */
  publish: boolean;
  /** The charts checkout as seen from the project (for `chart.path` on --target minikube). */
  chartsFromProject: string;
}

export interface ServiceImport {
  name: string;
  chart: string;
  release: string;
  namespace: string;
  kind: 'built' | 'pinned' | 'stand-in';
  appPort: number | undefined;
  /** The devpipe.yaml entry. */
  spec: Values;
  /** Key path inside the entry (dots) → where the value came from. */
  comments: Map<string, string>;
  /** Secrets to declare: name → description. */
  secrets: Map<string, string>;
  /** Other stack services this one needs (listeners, URLs, datastores). */
  needs: string[];
  layers: Layer[];
  notes: string[];
  warnings: string[];
}
