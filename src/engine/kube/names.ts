/**
 * Kubernetes names for a stack: one namespace per project, objects named after services, the
 * labels every object carries. Pure.
 */
import { DevpipeError } from '../../errors.js';
import { LABEL_PROJECT, LABEL_ROLE, LABEL_RUN, LABEL_SERVICE } from '../stack/model.js';

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const SECRET_NAME = 'devpipe-secrets';
/** Suffix of the NodePort Service that publishes a service's ports outside the cluster. */
export const PUBLISHED_SUFFIX = '-published';

/** `devpipe-<project>`: a DNS-1123 label (lowercase, `-`, at most 63 characters). */
export function namespaceOf(project: string): string {
  const clean = project.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return `devpipe-${clean || 'project'}`.slice(0, 63).replace(/-+$/, '');
}

/** Labels for one object (the model's labels plus the Kubernetes-recommended managed-by). */
export function kubeLabels(base: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    // Label values: at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends.
    out[key] = value.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'x';
  }
  out[MANAGED_BY] = 'devpipe';
  return out;
}

export function projectSelector(project: string, extra: Readonly<Record<string, string>> = {}): string {
  return Object.entries({ [LABEL_PROJECT]: project, ...extra })
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function serviceSelector(project: string, service: string): string {
  return projectSelector(project, { [LABEL_SERVICE]: service });
}

export { LABEL_PROJECT, LABEL_ROLE, LABEL_RUN, LABEL_SERVICE };

const dns1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Services become Deployments and Services named after them, reachable by that name (as on the
 * compose network): a name must be a DNS-1035 label. Exit 2, naming every bad one.
 */
export function checkServiceNames(names: readonly string[], file: string): void {
  const bad = names.filter((n) => !dns1035.test(n) || n.length > 63 - PUBLISHED_SUFFIX.length);
  if (bad.length === 0) return;
  throw new DevpipeError('spec', `service name${bad.length > 1 ? 's' : ''} ${bad.map((n) => `"${n}"`).join(', ')} cannot be used on Kubernetes`, {
    details: bad.map((n) => `${file} services.${n}: a Kubernetes Service name must start with a letter and use only a-z, 0-9 and - (at most ${63 - PUBLISHED_SUFFIX.length} characters)`),
    hint: `rename ${bad[0] ?? 'it'} (e.g. ${(bad[0] ?? 'x').replace(/_/g, '-').replace(/^[^a-z]+/, '')}), and the URLs that use it`,
  });
}
