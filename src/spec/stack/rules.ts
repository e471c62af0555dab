/**
 * Semantic rules of the effective stack config (after the profile overlay): references between
 * services, secrets and ports. Every problem is collected, located at its key path.
 */
import { nearest, type KeyPath } from '../issues.js';
import { checkFilesAndListeners } from './rules-mesh.js';
import type { E2eSpec, ServiceSpec, StackFile } from './schema.js';

export interface IssueSink {
  error(path: KeyPath, message: string, hint?: string, options?: { atKey?: boolean }): void;
  warning(path: KeyPath, message: string, hint?: string, options?: { atKey?: boolean }): void;
}

function didYouMean(word: string, candidates: string[], what: string): string {
  const suggestion = nearest(word, candidates);
  if (suggestion) return `did you mean "${suggestion}"?`;
  return candidates.length > 0 ? `${what}: ${candidates.join(', ')}` : `none is declared`;
}

function imageSource(spec: Pick<ServiceSpec, 'build' | 'image'>, path: KeyPath, sink: IssueSink, what: string): void {
  if (spec.build !== undefined && spec.image !== undefined) {
    sink.error([...path, 'image'], `${what} has both \`build\` and \`image\``, 'keep `build` to build it here, or `image` to pin it to a staging image', { atKey: true });
  } else if (spec.build === undefined && spec.image === undefined) {
    sink.error(path, `${what} has neither \`build\` nor \`image\``, 'add `build: <variant>` (built here from the Blubber file) or `image: <ref>` (pinned)', { atKey: true });
  }
}

function secretUses(uses: ServiceSpec['secrets'] | E2eSpec['secrets'], path: KeyPath, declared: string[], sink: IssueSink, used: Set<string>): void {
  const envs = new Set<string>();
  uses.forEach((use, index) => {
    const name = typeof use === 'string' ? use : use.name;
    used.add(name);
    if (!declared.includes(name)) {
      sink.error([...path, index], `secret "${name}" is used but not declared`, `declare it once under \`secrets:\` with a fake value (\`${name}: fake-value\`), or ${didYouMean(name, declared, 'declared secrets')}`);
    }
    if (typeof use !== 'string' && use.env) {
      if (envs.has(use.env)) sink.error([...path, index, 'env'], `environment variable ${use.env} is set by two secrets`);
      envs.add(use.env);
    }
    if (typeof use !== 'string' && !use.file && !use.env) sink.error([...path, index], `secret "${name}" is neither a file nor an env var`, 'remove `file: false` or add `env: NAME`');
  });
}

function hostPort(port: ServiceSpec['ports'][number]): number {
  if (typeof port === 'number') return port;
  if (typeof port === 'string') return Number(port.split(':')[0]);
  return port.host ?? port.container;
}

function dependencyCycle(services: Record<string, ServiceSpec>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of services[name]?.depends_on ?? []) {
      if (!services[dep]) continue;
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(services)) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

export function checkStack(config: StackFile, sink: IssueSink): void {
  const names = Object.keys(config.services);
  const declared = Object.keys(config.secrets);
  const used = new Set<string>();
  const ports = new Map<number, string>();
  if (names.length === 0) sink.error(['services'], 'the stack has no services', 'declare at least one service, e.g. `services: {api: {build: production}}`');

  for (const [name, service] of Object.entries(config.services)) {
    const path = ['services', name];
    imageSource(service, path, sink, `service "${name}"`);
    service.depends_on.forEach((dep, index) => {
      if (dep === name) sink.error([...path, 'depends_on', index], `service "${name}" depends on itself`);
      else if (!config.services[dep]) {
        sink.error([...path, 'depends_on', index], `service "${name}" depends on "${dep}", which is not a service of this stack`, didYouMean(dep, names.filter((n) => n !== name), 'services'));
      }
    });
    secretUses(service.secrets, [...path, 'secrets'], declared, sink, used);
    service.ports.forEach((port, index) => {
      const host = hostPort(port);
      const owner = ports.get(host);
      if (owner !== undefined) {
        sink.error([...path, 'ports', index], `host port ${host} is already published by ${owner}`, 'give each published port its own host port: `"HOST:CONTAINER"`');
      } else ports.set(host, `service "${name}"`);
    });
    checkFilesAndListeners(config, name, service, sink, used);
    service.volumes.forEach((volume, index) => {
      if ((volume.name === undefined) === (volume.host === undefined)) {
        sink.error([...path, 'volumes', index], 'a volume needs exactly one of `name` (a named volume) or `host` (a project path)');
      } else if (volume.host !== undefined && (volume.host.startsWith('/') || volume.host.split('/').includes('..'))) {
        sink.error([...path, 'volumes', index, 'host'], `${JSON.stringify(volume.host)} is not a path inside the project`, 'bind-mount project paths only, e.g. `host: ./config`');
      }
    });
  }
  const cycle = dependencyCycle(config.services);
  if (cycle && cycle[0]) sink.error(['services', cycle[0], 'depends_on'], `depends_on forms a cycle: ${cycle.join(' → ')}`, 'remove one of these dependencies');

  if (config.e2e) {
    imageSource(config.e2e, ['e2e'], sink, 'the e2e suite');
    secretUses(config.e2e.secrets, ['e2e', 'secrets'], declared, sink, used);
  }
  for (const name of declared) {
    if (!used.has(name)) sink.warning(['secrets', name], `secret "${name}" is declared but no service uses it`, 'remove it, or list it under a service\'s `secrets:`', { atKey: true });
  }
}
