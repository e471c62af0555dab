/**
 * A service's sidecar (issue #18): the stand-in for staging's envoy in the service's network
 * namespace. It serves each mesh listener on `localhost:<port>` — a forwarder to a stack service,
 * or a stub answering 404 with a note — and runs the service's HTTP healthcheck from outside the
 * service's container (images without a shell or an HTTP client). A busybox shell script: `nc`
 * forwards (one process per connection), `httpd` answers stubs, `wget` probes. Pure.
 */
import type { HealthcheckConfig, ListenerConfig } from '../../spec/stack/types.js';

/** Applets are run through the busybox binary: a minimal busybox image has no applet links. */
const BB = '/bin/busybox';

/** Single-quote for sh. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

export function stubText(listener: ListenerConfig, service: string): string {
  const note = listener.route.kind === 'stub' ? listener.route.note : '';
  return `devpipe stub for listener "${listener.name}" of ${service} (localhost:${listener.port}): not reproduced locally. ${note}`.trim();
}

/** The script the sidecar runs (`sh -c`). */
export function sidecarScript(service: string, listeners: readonly ListenerConfig[]): string {
  const lines = ['set -e'];
  for (const listener of listeners) {
    if (listener.route.kind === 'forward') {
      lines.push(`# listener ${listener.name}: localhost:${listener.port} -> ${listener.route.service}:${listener.route.port}`);
      lines.push(`${BB} nc -ll -p ${listener.port} -e ${BB} nc ${listener.route.service} ${listener.route.port} &`);
    } else {
      const dir = `/tmp/devpipe-stub-${listener.port}`;
      lines.push(`# listener ${listener.name}: localhost:${listener.port} -> stub`);
      lines.push(`${BB} mkdir -p ${dir}`, `printf '%s\\n' ${quote(stubText(listener, service))} > ${dir}/404.html`, `printf 'E404:404.html\\n' > ${dir}.conf`);
      lines.push(`${BB} httpd -f -p ${listener.port} -h ${dir} -c ${dir}.conf &`);
    }
  }
  lines.push(`echo "devpipe sidecar of ${service}: ${listeners.length} listener(s)"`, `exec ${BB} sleep 2147483647`);
  return lines.join('\n');
}

/** The compose healthcheck test of an HTTP probe, run in the sidecar. */
export function httpProbeCommand(check: HealthcheckConfig): string[] {
  const http = check.http ?? { port: 80, path: '/' };
  // No `-T`: Debian's static busybox 1.35 crashes with it; the healthcheck's timeout bounds the call.
  return [BB, 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${http.port}${http.path}`];
}
