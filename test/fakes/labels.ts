/** The labels a build request gives its image, as the engine reads them: API labels and the final LABEL line. */
import type { BuildRequest } from '../../src/ports.js';

export function requestLabels(request: BuildRequest): Record<string, string> {
  const last = request.dockerfile.trimEnd().split('\n').pop() ?? '';
  const fromLine = last.startsWith('LABEL ')
    ? Object.fromEntries([...last.matchAll(/("(?:[^"\\]|\\.)*")=("(?:[^"\\]|\\.)*")/g)].map((m) => [JSON.parse(m[1]!) as string, (JSON.parse(m[2]!.replaceAll('\\$', '$')) as string)]))
    : {};
  return { ...request.labels, ...fromLine };
}
