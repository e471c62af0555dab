/**
 * `import-staging` from a developer's checkout: find the service this checkout publishes (unless
 * named), import its staging description from a deployment-charts checkout, and apply it to
 * `.pipeline/devpipe.yaml` (fake values for its secrets in the user's store, outside the repo).
 */
import path from 'node:path';
import { DevpipeError } from '../../errors.js';
import type { FakeSecretStore, ProjectFiles, TextTree } from '../../ports.js';
import { applyImport, type ApplyResult } from './apply.js';
import { importStaging, serviceForCheckout } from './import.js';
import { readCheckout } from './images.js';
import type { ImportOptions } from './model.js';
import type { StagingImport } from './import.js';

export interface StagingHost {
  /** The project directory. */
  root: string;
  /** A text tree at a path (relative to the project, or absolute). */
  tree(dir: string): TextTree & { root: string };
  files: ProjectFiles;
  /** The user's fake secrets of this project. */
  secrets: FakeSecretStore;
  /** A new fake value. */
  fake(): string;
}

export interface StagingRequest {
  service?: string | undefined;
  charts: string | undefined;
  release?: string | undefined;
  routes: 'online' | 'offline';
  general: string;
  listeners?: string | undefined;
  external: string[];
  output: string;
  checkout: boolean;
  publish: boolean;
  force: boolean;
  dryRun: boolean;
}

export async function importStagingInto(host: StagingHost, request: StagingRequest): Promise<{ service: string; result: StagingImport; applied: ApplyResult }> {
  if (!request.charts) throw new DevpipeError('usage', 'import-staging needs --charts DIR', { hint: 'point it at a checkout of operations/deployment-charts, e.g. --charts ../deployment-charts' });
  const charts = host.tree(request.charts);
  if ((await charts.list('helmfile.d/services')) === undefined) {
    throw new DevpipeError('usage', `${charts.root} is not a deployment-charts checkout (no helmfile.d/services/)`, { hint: 'clone https://gerrit.wikimedia.org/r/operations/deployment-charts and pass its path' });
  }
  const project = host.tree('.');
  const checkout = request.checkout
    ? readCheckout({ pipeline: await project.read('.pipeline/config.yaml'), gitlab: await project.read('.gitlab-ci.yml'), gitConfig: await project.read('.git/config'), directory: path.basename(host.root) })
    : undefined;
  let listeners: ImportOptions['listeners'];
  if (request.listeners) {
    const absolute = path.resolve(host.root, request.listeners);
    const text = await host.tree(path.dirname(absolute)).read(path.basename(absolute));
    if (text === undefined) throw new DevpipeError('usage', `cannot read --listeners ${absolute}`, { hint: "pass a services_proxy map or puppet's profile::services_proxy::envoy::listeners file" });
    listeners = { file: request.listeners, text };
  }
  const options: ImportOptions = {
    environment: 'staging',
    release: request.release,
    routes: request.routes,
    generalFile: request.general,
    listeners,
    externalCharts: ['mediawiki', ...request.external],
    checkout,
    publish: request.publish,
    chartsFromProject: path.relative(host.root, charts.root) || '.',
  };
  const service = request.service ?? (await serviceForCheckout(charts, options));
  if (!service) {
    throw new DevpipeError('usage', `no staging service runs the image this checkout publishes${checkout?.published ? ` ("${checkout.published.name}", ${checkout.published.from})` : ''}`, {
      hint: 'name the service: devpipe import-staging <service> --charts DIR',
    });
  }
  const result = await importStaging(charts, service, options);
  if (path.isAbsolute(request.output) || path.normalize(request.output).split(path.sep).includes('..')) {
    throw new DevpipeError('usage', `--output ${request.output} is not a path inside the project`, { hint: 'give a path relative to the project, e.g. .pipeline/devpipe.yaml' });
  }
  const applied = await applyImport({ files: host.files, secrets: host.secrets }, result, { output: request.output, force: request.force, dryRun: request.dryRun, fake: host.fake });
  return { service, result, applied };
}
