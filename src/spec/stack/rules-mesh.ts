/**
 * Rules for what a local staging copy adds to a service (issue #18): generated files, secrets
 * written into them, and mesh listeners. Every problem is collected, located at its key path.
 */
import type { KeyPath } from '../issues.js';
import type { IssueSink } from './rules.js';
import type { ServiceSpec, StackFile } from './schema.js';

export function checkFilesAndListeners(config: StackFile, name: string, service: ServiceSpec, sink: IssueSink, used: Set<string>): void {
  const path: KeyPath = ['services', name];
  const declared = Object.keys(config.secrets);
  const mounted = new Set<string>();
  service.files.forEach((file, index) => {
    if (mounted.has(file.path)) sink.error([...path, 'files', index, 'path'], `${file.path} is mounted twice in service "${name}"`);
    mounted.add(file.path);
    if (service.volumes.some((v) => v.path === file.path)) sink.error([...path, 'files', index, 'path'], `${file.path} is also a volume of service "${name}"`);
    for (const [keyPath, secret] of Object.entries(file.secrets)) {
      used.add(secret);
      if (!declared.includes(secret)) {
        sink.error([...path, 'files', index, 'secrets', keyPath], `secret "${secret}" is written into ${file.path} but not declared`, `declare it under \`secrets:\` (\`${secret}: {description: …}\`; its fake value lives outside the repo)`);
      }
    }
  });
  const ports = new Map<number, string>();
  for (const [listener, spec] of Object.entries(service.listeners)) {
    const at = [...path, 'listeners', listener];
    const other = ports.get(spec.port);
    if (other !== undefined) {
      sink.error([...at, 'port'], `listeners "${other}" and "${listener}" of service "${name}" both use port ${spec.port}`, 'a pod can serve one listener per port (envoy cannot bind a port twice): keep one');
    } else ports.set(spec.port, listener);
    if (spec.to !== undefined) {
      const target = spec.to.split(':')[0] ?? '';
      if (target === name) sink.error([...at, 'to'], `listener "${listener}" of service "${name}" forwards to the service itself`);
      else if (!config.services[target]) sink.error([...at, 'to'], `listener "${listener}" forwards to "${target}", which is not a service of this stack`, 'add that service, or make the listener a `stub`');
      else if (!service.depends_on.includes(target)) sink.warning([...at, 'to'], `listener "${listener}" forwards to "${target}", which service "${name}" does not depend on`, `add "${target}" to depends_on so it is started first`);
    }
  }
}
