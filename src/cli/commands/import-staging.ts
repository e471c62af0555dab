/**
 * `devpipe import-staging [service] --charts DIR`: derive `.pipeline/devpipe.yaml` from staging's
 * own configuration (a deployment-charts checkout). Parses options, calls the importer, prints
 * the report.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { DevpipeError } from '../../errors.js';
import { applyImport } from '../../engine/staging/apply.js';
import { importStaging, serviceForCheckout } from '../../engine/staging/import.js';
import { readCheckout } from '../../engine/staging/images.js';
import type { ImportOptions } from '../../engine/staging/model.js';
import { NodeTextTree } from '../../fs/text-tree.js';
import { userSecretsFile } from '../../secrets/sources.js';
import { UserSecretsStore } from '../../secrets/user-store.js';
import { stackName } from '../../spec/stack/load.js';
import type { Context } from '../context.js';
import { readFile } from 'node:fs/promises';

export async function run(ctx: Context, args: unknown[], options: Record<string, unknown>): Promise<number> {
  const chartsDir = options.charts as string | undefined;
  if (!chartsDir) throw new DevpipeError('usage', 'import-staging needs --charts DIR', { hint: 'point it at a checkout of operations/deployment-charts, e.g. --charts ../deployment-charts' });
  const charts = new NodeTextTree(path.resolve(ctx.projectDir, chartsDir));
  if ((await charts.list('helmfile.d/services')) === undefined) {
    throw new DevpipeError('usage', `${charts.root} is not a deployment-charts checkout (no helmfile.d/services/)`, { hint: 'clone https://gerrit.wikimedia.org/r/operations/deployment-charts and pass its path' });
  }
  const routes = (options.routes as string | undefined) ?? 'offline';
  const project = new NodeTextTree(ctx.projectDir);
  const checkout = options.checkout === false
    ? undefined
    : readCheckout({ pipeline: await project.read('.pipeline/config.yaml'), gitlab: await project.read('.gitlab-ci.yml'), gitConfig: await project.read('.git/config'), directory: path.basename(ctx.projectDir) });
  const listenersFile = options.listeners as string | undefined;
  const importOptions: ImportOptions = {
    environment: (options.environment as string | undefined) ?? 'staging',
    release: options.release as string | undefined,
    routes: routes === 'online' ? 'online' : 'offline',
    generalFile: (options.general as string | undefined) ?? '.fixtures/general-staging.yaml',
    listeners: listenersFile ? { file: listenersFile, text: await readText(path.resolve(ctx.projectDir, listenersFile)) } : undefined,
    externalCharts: ['mediawiki', ...((options.external as string[] | undefined) ?? [])],
    checkout,
    publish: options.publish !== false,
    chartsFromProject: path.relative(ctx.projectDir, charts.root) || '.',
  };
  const service = (args[0] as string | undefined) ?? (await serviceForCheckout(charts, importOptions));
  if (!service) {
    throw new DevpipeError('usage', `no staging service runs the image this checkout publishes${checkout?.published ? ` ("${checkout.published.name}", ${checkout.published.from})` : ''}`, {
      hint: 'name the service: devpipe import-staging <service> --charts DIR',
    });
  }
  await ctx.reporter();
  const result = await importStaging(charts, service, importOptions);
  const store = new UserSecretsStore(userSecretsFile(ctx.env, stackName(path.basename(ctx.projectDir))));
  const output = (options.output as string | undefined) ?? '.pipeline/devpipe.yaml';
  if (path.isAbsolute(output) || path.normalize(output).split(path.sep).includes('..')) {
    throw new DevpipeError('usage', `--output ${output} is not a path inside the project`, { hint: 'give a path relative to the project, e.g. .pipeline/devpipe.yaml' });
  }
  const applied = await applyImport({ files: await ctx.projectFiles(), secrets: store }, result, {
    output,
    force: options.force === true,
    dryRun: options.dryRun === true,
    fake: () => `fake-${randomBytes(18).toString('hex')}`,
  });
  ctx.bus.emit('result', {
    command: 'import-staging',
    data: {
      service,
      action: applied.action,
      output: applied.output,
      services: result.services.map((s) => ({ name: s.name, kind: s.kind, chart: s.chart, release: s.release })),
      layers: result.layers.map((l) => ({ role: l.role, file: l.file, status: l.status, note: l.note })),
      notes: result.services.flatMap((s) => s.notes.map((note) => ({ service: s.name, note }))),
      warnings: result.warnings,
      secrets: [...result.secrets.keys()],
      fakesAdded: applied.fakesAdded,
      secretsStore: applied.store,
    },
  });
  ctx.print(`layers of ${service} (lowest first):`);
  result.layers.forEach((l, i) => ctx.print(`  ${i + 1}. ${l.role.padEnd(32)} ${l.file} (${l.status}${l.note ? `: ${l.note}` : ''})`));
  ctx.print('services:');
  for (const s of result.services) ctx.print(`  ${s.name.padEnd(20)} ${s.kind === 'built' ? `built here (${String(s.spec.build)})` : `pinned ${String(s.spec.image)}`}`);
  ctx.print('adapted, dropped or stood in for:');
  for (const s of result.services) for (const note of s.notes) ctx.print(`  ${s.name}: ${note}`);
  for (const warning of result.warnings) ctx.print(`warning: ${warning}`);
  if (applied.fakesAdded.length > 0) ctx.print(`fake values generated for ${applied.fakesAdded.length} secret(s) in ${applied.store} (outside the repository)`);
  if (applied.action === 'dry-run') {
    ctx.print(`\n# ${output} (dry run: nothing written)`);
    ctx.print(result.text.trimEnd());
    if (applied.diff) ctx.print(`\n${applied.diff.trimEnd()}`);
  } else if (applied.action === 'kept-local-edits') {
    ctx.print(`${output} has local edits since the last import: not overwritten. The import differs:`);
    ctx.print(applied.diff.trimEnd());
    ctx.print(`the imported text is in ${applied.pending ?? ''}; merge it by hand, or rerun with --force to overwrite`);
  } else if (applied.action === 'updated') {
    ctx.print(applied.diff.trimEnd());
    ctx.print(`${output} updated`);
  } else ctx.print(`${output} ${applied.action}`);
  return 0;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new DevpipeError('usage', `cannot read --listeners ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { hint: 'pass a services_proxy map or puppet\'s profile::services_proxy::envoy::listeners file' });
  }
}
