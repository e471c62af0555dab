/**
 * Docker image references (distribution/reference's grammar): `[domain[:port]/]path[:tag][@digest]`.
 * A pinned image that does not match never reaches Compose (issue 15, item 4): `Busybox:Stable`,
 * `busybox:has space` and `-rf` are spec errors with the rule that failed.
 */

const component = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const referencePattern = new RegExp(`^(?:(${domain})/)?(${component}(?:/${component})*)(?::(${tag}))?(?:@(${digest}))?$`);

/** Why `ref` is not a valid image reference, or undefined when it is. */
export function imageRefProblem(ref: string): string | undefined {
  if (ref.trim() !== ref || /\s/.test(ref)) return 'an image reference has no spaces';
  if (ref.startsWith('-')) return 'an image reference cannot start with "-"';
  const match = referencePattern.exec(ref);
  if (!match) {
    const lower = ref.toLowerCase();
    const nameEnd = lower.lastIndexOf(':') > lower.lastIndexOf('/') ? lower.lastIndexOf(':') : lower.length;
    if (ref.slice(0, nameEnd) !== lower.slice(0, nameEnd) && referencePattern.test(ref.slice(0, nameEnd).toLowerCase() + ref.slice(nameEnd))) {
      return 'the repository name must be lowercase';
    }
    return 'expected `[registry/]name[:tag][@sha256:digest]`, e.g. `docker-registry.wikimedia.org/wikimedia/mediawiki-services-foo:2024-01-01-000000-production`';
  }
  const [, host, path] = match;
  if ((host ? host.length + 1 : 0) + (path?.length ?? 0) > 255) return 'the repository name is longer than 255 characters';
  return undefined;
}
