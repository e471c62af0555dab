/**
 * The APT block of the privileged phase, following Blubber HEAD's steps in Dockerfile form:
 * DEBIAN_FRONTEND; the proxies file; signing keys (generated context files COPY'd to
 * /etc/apt/keyrings/<sha256 of the key>.asc, byte for byte); with extra sources, ca-certificates
 * first and then the sources file (which stays in the image); finally update + installs (one per
 * release, sorted, `default` without `-t`) + list cleanup + proxies file removal.
 */
import type { AptProxy, ExpandedVariant } from '../spec/blubber/index.js';
import { addFile, GENERATED_DIR, sha256, type CompileContext } from './context.js';
import { copy, quote, run, shell, type Instruction } from './instructions.js';

export const APT_SOURCES_FILE = '/etc/apt/sources.list.d/99blubber.list';
export const APT_PROXIES_FILE = '/etc/apt/apt.conf.d/99blubber-proxies';
export const APT_KEYRINGS_DIR = '/etc/apt/keyrings';

function proxyLine(proxy: AptProxy): string {
  if (proxy.source !== undefined && proxy.source !== '') {
    const source = new URL(proxy.source);
    return `Acquire::${source.protocol.replace(':', '')}::Proxy::${source.host} "${proxy.url}";`;
  }
  const scheme = /^https:/i.test(proxy.url) ? 'https' : 'http';
  return `Acquire::${scheme}::Proxy "${proxy.url}";`;
}

/** `printf '%s\n' "line"… > file`: writes lines without shell interpretation of the values. */
function writeLines(lines: readonly string[], file: string): string {
  return `printf '%s\\n' ${lines.map(quote).join(' ')} > ${file}`;
}

export function aptInstructions(ctx: CompileContext, variant: ExpandedVariant): Instruction[] {
  const { packages, sources, proxies } = variant.apt;
  const releases = Object.keys(packages)
    .filter((release) => (packages[release] ?? []).length > 0)
    .sort();
  if (releases.length === 0 && sources.length === 0 && proxies.length === 0) return [];

  const out: Instruction[] = [{ kind: 'env', vars: [['DEBIAN_FRONTEND', 'noninteractive']] }];
  if (proxies.length > 0) out.push(run([writeLines(proxies.map(proxyLine), APT_PROXIES_FILE)]));

  const sourceLines: string[] = [];
  for (const source of sources) {
    let options = '';
    const key = source['signed-by'];
    if (key !== undefined && key !== '') {
      const name = `${sha256(key)}.asc`;
      const contextPath = `${GENERATED_DIR}/apt-keyrings/${name}`;
      addFile(ctx, contextPath, key, 0o644);
      out.push(copy([contextPath], `${APT_KEYRINGS_DIR}/${name}`));
      options = `[signed-by=${APT_KEYRINGS_DIR}/${name}] `;
    }
    sourceLines.push(`deb ${options}${[source.url, source.distribution ?? '', ...(source.components ?? [])].filter(Boolean).join(' ')}`);
  }
  if (sourceLines.length > 0) {
    out.push(run(['apt-get update', shell('apt-get install -y', 'ca-certificates'), writeLines(sourceLines, APT_SOURCES_FILE)]));
  }

  const commands: string[] = [];
  if (releases.length > 0) commands.push('apt-get update');
  for (const release of releases) {
    const list = packages[release] ?? [];
    commands.push(release === 'default' ? shell('apt-get install -y', ...list) : shell('apt-get install -y -t %s', release, ...list));
  }
  commands.push('rm -rf /var/lib/apt/lists/*');
  if (proxies.length > 0) commands.push(`rm -f ${APT_PROXIES_FILE}`);
  out.push(run(commands));
  return out;
}
