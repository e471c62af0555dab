/** DockerStackResources: volumes and networks listed by label and removed (an absent one is fine). */
import type Docker from 'dockerode';
import type { StackResources } from '../ports.js';
import { dockerError } from './problems.js';

function labelFilter(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify({ label: Object.entries(labels).map(([k, v]) => (v ? `${k}=${v}` : k)) });
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

export class DockerStackResources implements StackResources {
  constructor(private readonly docker: Docker) {}

  async volumes(labels: Readonly<Record<string, string>>): Promise<string[]> {
    try {
      const result = await this.docker.listVolumes({ filters: labelFilter(labels) });
      return (result.Volumes ?? []).map((v) => v.Name);
    } catch (error) {
      throw dockerError(error, 'listing volumes');
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove();
    } catch (error) {
      if (!isNotFound(error)) throw dockerError(error, `removing volume ${name}`);
    }
  }

  async networks(labels: Readonly<Record<string, string>>): Promise<{ id: string; name: string }[]> {
    try {
      return (await this.docker.listNetworks({ filters: labelFilter(labels) })).map((n) => ({ id: n.Id, name: n.Name }));
    } catch (error) {
      throw dockerError(error, 'listing networks');
    }
  }

  async removeNetwork(id: string): Promise<void> {
    try {
      await this.docker.getNetwork(id).remove();
    } catch (error) {
      if (!isNotFound(error)) throw dockerError(error, `removing network ${id}`);
    }
  }
}
