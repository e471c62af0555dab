/**
 * `devpipe prune`: what to remove of a project's images and containers, as a pure plan, then done
 * through the ports. Removed: stopped devpipe containers of the project; content-addressed tags
 * (`<project>:<variant>-<hash>`) older than the newest `keep` of their variant, except the image a
 * moving tag (`<project>:<variant>`) or a container uses; untagged (dangling) build images of the
 * project. Tags are removed one by one (never an image by ID with force), so a tag somebody else
 * put on the same image keeps it.
 */
import type { ContainerInfo, ContainerRunner, ImageInfo, ImageStore } from '../ports.js';
import type { EventBus } from './events.js';
import { LABEL_PROJECT } from './labels.js';

export interface PrunePlan {
  containers: { id: string; name: string; state: string }[];
  /** Content-addressed tags to remove. */
  tags: { tag: string; imageId: string; size: number; created: string }[];
  /** Untagged images of the project. */
  dangling: { imageId: string; size: number }[];
  /** Tags kept and why (newest, moving tag, in use). */
  kept: { tag: string; why: string }[];
}

const CONTENT_TAG = /^(.+):(.+)-([0-9a-f]{12})$/;

export function planPrune(images: readonly ImageInfo[], containers: readonly ContainerInfo[], keep: number): PrunePlan {
  const plan: PrunePlan = { containers: [], tags: [], dangling: [], kept: [] };
  const stopped = containers.filter((c) => c.state !== 'running' && c.state !== 'paused' && c.state !== 'restarting');
  plan.containers = stopped.map((c) => ({ id: c.id, name: c.name, state: c.state }));
  const usedBy = new Set(containers.filter((c) => !stopped.includes(c)).flatMap((c) => [c.image]));
  const movingTargets = new Set<string>();
  const groups = new Map<string, { tag: string; image: ImageInfo }[]>();
  for (const image of images) {
    for (const tag of image.tags) {
      const match = CONTENT_TAG.exec(tag);
      if (!match) {
        movingTargets.add(image.id);
        continue;
      }
      const group = `${match[1]}:${match[2]}`;
      groups.set(group, [...(groups.get(group) ?? []), { tag, image }]);
    }
  }
  for (const entries of groups.values()) {
    const newest = [...entries].sort((a, b) => b.image.created.localeCompare(a.image.created) || a.tag.localeCompare(b.tag));
    newest.forEach(({ tag, image }, index) => {
      const inUse = usedBy.has(image.id) || usedBy.has(tag);
      if (index < keep) plan.kept.push({ tag, why: `one of the newest ${keep}` });
      else if (movingTargets.has(image.id)) plan.kept.push({ tag, why: 'another tag names this image' });
      else if (inUse) plan.kept.push({ tag, why: 'a running container uses it' });
      else plan.tags.push({ tag, imageId: image.id, size: image.size, created: image.created });
    });
  }
  plan.dangling = images.filter((i) => i.tags.length === 0 && !usedBy.has(i.id)).map((i) => ({ imageId: i.id, size: i.size }));
  return plan;
}

export interface PruneResult {
  containersRemoved: number;
  tagsRemoved: number;
  imagesDeleted: number;
  /** Sum of the sizes of images deleted (layers shared with other images are counted too). */
  bytesFreed: number;
  problems: string[];
}

export async function prune(ports: { images: ImageStore; containers: ContainerRunner }, bus: EventBus, plan: PrunePlan): Promise<PruneResult> {
  const result: PruneResult = { containersRemoved: 0, tagsRemoved: 0, imagesDeleted: 0, bytesFreed: 0, problems: [] };
  const attempt = async (what: string, action: () => Promise<unknown>): Promise<boolean> => {
    try {
      await action();
      return true;
    } catch (error) {
      result.problems.push(`${what}: ${(error as Error).message}`);
      return false;
    }
  };
  for (const c of plan.containers) if (await attempt(`removing container ${c.name}`, () => ports.containers.remove(c.id))) result.containersRemoved++;
  const deleted = async (id: string, size: number) => {
    if ((await ports.images.inspect(id).catch(() => undefined)) === undefined) {
      result.imagesDeleted++;
      result.bytesFreed += size;
    }
  };
  for (const t of plan.tags) {
    if (!(await attempt(`removing tag ${t.tag}`, () => ports.images.remove(t.tag)))) continue;
    result.tagsRemoved++;
    bus.emit('message', { level: 'info', text: `removed ${t.tag}` });
    await deleted(t.imageId, t.size);
  }
  for (const d of plan.dangling) {
    if (await attempt(`removing image ${d.imageId.slice(7, 19)}`, () => ports.images.remove(d.imageId))) await deleted(d.imageId, d.size);
  }
  return result;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

/** Everything of these projects (by the project label), unique by ID. */
export async function projectPlan(ports: { images: ImageStore; containers: ContainerRunner }, projects: readonly string[], keep: number): Promise<PrunePlan> {
  const labels = [...new Set(projects)].map((project) => ({ [LABEL_PROJECT]: project }));
  const images = (await Promise.all(labels.map((l) => ports.images.list(l)))).flat();
  const containers = (await Promise.all(labels.map((l) => ports.containers.list(l)))).flat();
  const unique = <T extends { id: string }>(items: T[]) => [...new Map(items.map((i) => [i.id, i])).values()];
  return planPrune(unique(images), unique(containers), keep);
}
