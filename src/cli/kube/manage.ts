/** `down`, `status`, `logs` with --target minikube: everything found by the project's labels, pinned to its context and namespace. */
import { downKubeStack, kubeStatusRows, nodePortUrls } from '../../engine/kube/manage.js';
import { projectSelector, serviceSelector } from '../../engine/kube/names.js';
import { DevpipeError } from '../../errors.js';
import { nearest } from '../../spec/issues.js';
import type { StackConfig } from '../../spec/stack/index.js';
import type { Context } from '../context.js';
import type { StackSecrets } from '../stack.js';
import { kubeSetup } from './target.js';

export async function runKubeDown(ctx: Context, project: string, options: Record<string, unknown>): Promise<number> {
  const setup = await kubeSetup(ctx, project);
  await ctx.reporter();
  const result = await downKubeStack({ kubectl: setup.kubectl, helm: setup.adapters.present.helm ? setup.helm : undefined }, ctx.bus, project, {
    volumes: options.volumes === true,
    signal: options.signal as AbortSignal | undefined,
  });
  await ctx.finish();
  ctx.bus.emit('result', { command: 'down', data: { project, target: setup.target, releases: result.releases, volumes: options.volumes === true } });
  const where = `${setup.target.context}/${setup.target.namespace}`;
  ctx.print(
    result.namespaceDeleted
      ? `${project} removed from ${setup.target.context} with its namespace ${setup.target.namespace} and volumes`
      : `${project} removed from ${where} (volumes and the namespace kept; --volumes removes them)${result.releases.length ? `; uninstalled ${result.releases.join(', ')}` : ''}`,
  );
  return 0;
}

export async function runKubeStatus(ctx: Context, project: string): Promise<number> {
  const setup = await kubeSetup(ctx, project);
  await ctx.reporter();
  const selector = projectSelector(project);
  const [deployments, pods, services, releases] = await Promise.all([
    setup.kubectl.get('deployments', selector),
    setup.kubectl.get('pods', selector),
    setup.kubectl.get('services', selector),
    setup.adapters.present.helm ? setup.helm.list().catch(() => []) : Promise.resolve([]),
  ]);
  const rows = kubeStatusRows(deployments, pods, releases);
  const ip = setup.minikubeProfile ? await setup.minikube.ip().catch(() => undefined) : undefined;
  const urls = ip ? nodePortUrls(services, ip) : {};
  ctx.bus.emit('result', { command: 'status', data: { project, target: setup.target, services: rows.map((r) => ({ ...r, urls: urls[r.service] ?? [] })) } });
  if (rows.length === 0) {
    ctx.print(`${project}: not running on ${setup.target.context}/${setup.target.namespace} (devpipe up --target minikube starts it)`);
    return 0;
  }
  ctx.print(`${project} on ${setup.target.context}/${setup.target.namespace}:`);
  for (const row of rows) ctx.print(`  ${row.service.padEnd(12)} ${row.kind.padEnd(10)} ${row.ready.padEnd(5)} ${row.state.padEnd(18)} ${(urls[row.service] ?? []).join(' ')}`.trimEnd());
  return 0;
}

export async function runKubeLogs(ctx: Context, config: StackConfig, secrets: StackSecrets, services: readonly string[], options: Record<string, unknown>): Promise<number> {
  const names = config.services.map((s) => s.name);
  for (const service of services) {
    if (!names.includes(service)) {
      const suggestion = nearest(service, names);
      throw new DevpipeError('usage', `"${service}" is not a service of ${config.project}`, { hint: suggestion ? `did you mean "${suggestion}"?` : `services: ${names.join(', ')}` });
    }
  }
  const setup = await kubeSetup(ctx, config.project);
  const selectors = services.length > 0 ? services.map((s) => serviceSelector(config.project, s)) : [projectSelector(config.project, { 'devpipe.role': 'stack' })];
  const signal = options.signal as AbortSignal | undefined;
  await Promise.all(
    selectors.map((selector) =>
      setup.kubectl.logs({ selector }, { follow: options.follow === true, prefix: true, tail: options.follow === true ? 100 : -1, signal, onLine: (line) => ctx.streams.out.write(`${secrets.redactor.text(line)}\n`) }),
    ),
  );
  return 0;
}
