/** `down`, `status`, `logs`: everything found by labels, through ports. */
import { DevpipeError } from '../../errors.js';
import type { ContainerInfo, ContainerRunner, StackDeployer, StackResources, StackTarget } from '../../ports.js';
import type { EventBus } from '../events.js';
import { healthOf } from './health.js';
import { LABEL_PROJECT, LABEL_ROLE, LABEL_RUN, LABEL_SERVICE } from './model.js';

export interface DownResult {
  /** Containers removed by the label sweep after the deployer (e.g. an interrupted e2e run). */
  swept: string[];
  /** Named volumes removed (with `volumes`), found by label whether or not a rendered file exists. */
  volumes: string[];
  /** Why the deployer's own `down` failed, when the label sweep did its work instead. */
  deployerFailed?: string;
}

/** Compose's own label: every container, network and volume of `-p <project>` carries it. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';

/** Everything labelled with the project, by devpipe's label or by Compose's (deduplicated). */
async function byProject<T>(list: (labels: Record<string, string>) => Promise<T[]>, project: string, key: (item: T) => string): Promise<T[]> {
  const found = new Map<string, T>();
  const selectors: Record<string, string>[] = [{ [LABEL_PROJECT]: project }, { [COMPOSE_PROJECT_LABEL]: project }];
  for (const labels of selectors) {
    for (const item of await list(labels)) found.set(key(item), item);
  }
  return [...found.values()];
}

/**
 * Removes what devpipe created for the stack: the deployer's own `down` when the rendered file
 * exists, then a sweep by label of every stack container, network and (with `volumes`) named
 * volume of the project. The sweep never depends on the rendered file or on the current config
 * being deployable: when the deployer's `down` fails (a file Compose refuses), the sweep does
 * the work and the failure is reported as a warning. `ci`'s stage containers (no service, role
 * or Compose label) are left to `ci`'s own teardown.
 */
export async function downStack(
  ports: { containers: ContainerRunner; deployer: StackDeployer; resources: StackResources },
  bus: EventBus,
  project: string,
  target: StackTarget | undefined,
  options: { volumes: boolean; signal?: AbortSignal | undefined },
): Promise<DownResult> {
  // The dev loop's network anchors first: a network with a container on it cannot be removed.
  for (const anchor of await ports.containers.list({ [LABEL_PROJECT]: project, [LABEL_ROLE]: 'anchor' })) await ports.containers.remove(anchor.id);
  let deployerFailed: string | undefined;
  if (target) {
    const started = Date.now();
    bus.emit('task:start', { id: 'down', title: `remove ${project}${options.volumes ? ' (and its volumes)' : ''}` });
    try {
      await ports.deployer.down(target, options);
      bus.emit('task:end', { id: 'down', status: 'ok', durationMs: Date.now() - started });
    } catch (error) {
      if (options.signal?.aborted || (error instanceof DevpipeError && error.kind === 'environment')) {
        bus.emit('task:end', { id: 'down', status: 'failed', durationMs: Date.now() - started });
        throw error;
      }
      deployerFailed = error instanceof Error ? error.message : String(error);
      bus.emit('task:end', { id: 'down', status: 'skipped', durationMs: Date.now() - started, detail: 'removing by label instead' });
      bus.emit('message', { level: 'warn', text: `the deployer's down failed (${deployerFailed}); removing everything labelled ${project} instead` });
    }
  }
  const containers = (await byProject((l) => ports.containers.list(l), project, (c) => c.id)).filter(
    // Service containers, `dev`'s unit-test containers (left by a killed dev), compose's own; a
    // `devpipe ci` run's containers are its teardown's, or the dead-run sweep's (`--keep` keeps them).
    (c) => c.labels[LABEL_SERVICE] !== undefined || (c.labels[LABEL_ROLE] !== undefined && c.labels[LABEL_RUN] === undefined) || c.labels[COMPOSE_PROJECT_LABEL] === project,
  );
  for (const container of containers) await ports.containers.remove(container.id);
  for (const network of await byProject((l) => ports.resources.networks(l), project, (n) => n.id)) {
    await ports.resources.removeNetwork(network.id).catch((error: unknown) => {
      bus.emit('message', { level: 'warn', text: `network ${network.name} was kept: ${(error as Error).message}` });
    });
  }
  const volumes = options.volumes ? await byProject((l) => ports.resources.volumes(l), project, (v) => v) : [];
  for (const volume of volumes) await ports.resources.removeVolume(volume);
  const result: DownResult = { swept: containers.filter((c) => c.labels[LABEL_SERVICE] !== undefined || c.labels[LABEL_ROLE] === 'test').map((c) => c.name), volumes };
  if (deployerFailed) result.deployerFailed = deployerFailed;
  return result;
}

export interface StatusRow {
  service: string;
  role: string;
  state: string;
  health: string;
  status: string;
  container: string;
}

export function statusRows(containers: readonly ContainerInfo[]): StatusRow[] {
  return containers
    .filter((c) => c.labels[LABEL_SERVICE] !== undefined)
    .map((c) => ({
      service: c.labels[LABEL_SERVICE] ?? '?',
      role: c.labels[LABEL_ROLE] ?? 'stack',
      state: c.state,
      health: healthOf(c.status),
      status: c.status,
      container: c.name,
    }))
    .sort((a, b) => a.service.localeCompare(b.service));
}

export async function stackStatus(containers: ContainerRunner, project: string): Promise<StatusRow[]> {
  return statusRows(await containers.list({ [LABEL_PROJECT]: project }));
}
