/** `down`, `status`, `logs`: everything found by labels, through ports. */
import type { ContainerInfo, ContainerRunner, StackDeployer, StackTarget } from '../../ports.js';
import type { EventBus } from '../events.js';
import { healthOf } from './health.js';
import { LABEL_PROJECT, LABEL_ROLE, LABEL_RUN, LABEL_SERVICE } from './model.js';

export interface DownResult {
  /** Containers removed by the label sweep after the deployer (e.g. an interrupted e2e run). */
  swept: string[];
}

/**
 * Removes what devpipe created for the stack: the deployer's own `down` when the rendered file
 * exists, then a sweep of any container still carrying this project's stack labels.
 */
export async function downStack(
  ports: { containers: ContainerRunner; deployer: StackDeployer },
  bus: EventBus,
  project: string,
  target: StackTarget | undefined,
  options: { volumes: boolean; signal?: AbortSignal | undefined },
): Promise<DownResult> {
  // The dev loop's network anchors first: a network with a container on it cannot be removed.
  for (const anchor of await ports.containers.list({ [LABEL_PROJECT]: project, 'devpipe.role': 'anchor' })) await ports.containers.remove(anchor.id);
  if (target) {
    const started = Date.now();
    bus.emit('task:start', { id: 'down', title: `remove ${project}${options.volumes ? ' (and its volumes)' : ''}` });
    try {
      await ports.deployer.down(target, options);
      bus.emit('task:end', { id: 'down', status: 'ok', durationMs: Date.now() - started });
    } catch (error) {
      bus.emit('task:end', { id: 'down', status: 'failed', durationMs: Date.now() - started });
      throw error;
    }
  }
  // Service containers compose did not know, and `dev`'s unit-test containers (left by a killed
  // dev); a `devpipe ci` run's containers are its own teardown's (`ci --keep` keeps them on purpose).
  const leftovers = (await ports.containers.list({ [LABEL_PROJECT]: project })).filter((c) => c.labels[LABEL_SERVICE] !== undefined || (c.labels[LABEL_ROLE] === 'test' && c.labels[LABEL_RUN] === undefined));
  for (const container of leftovers) await ports.containers.remove(container.id);
  return { swept: leftovers.map((c) => c.name) };
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
      role: c.labels['devpipe.role'] ?? 'stack',
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
