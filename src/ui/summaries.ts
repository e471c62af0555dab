/** What the stack commands print: the up summary, down's sentence, the status table, the e2e verdict. */
import type { DownResult, E2eResult, StatusResult, UpResult } from '../engine/targets/types.js';
import { formatDuration } from './format.js';

export function upSummary(result: UpResult, durationMs: number): string[] {
  const lines = ['', `${result.project} is up${result.where ? ` on ${result.where}` : ''} (${formatDuration(durationMs)})${result.note ? `; ${result.note}` : ''}, ${result.services.length} service(s):`];
  const wide = result.where ? 28 : 24;
  for (const service of result.services) {
    lines.push(`  ${service.name.padEnd(12)} ${service.reach.join(' ').padEnd(wide)} ${service.image}${service.kind ? ` (${service.kind})` : ''}`);
  }
  lines.push(...result.hints);
  const t = result.targetFlag;
  lines.push(`next: devpipe e2e${t} · devpipe logs${t} · devpipe status${t} · devpipe down${t}`);
  return lines;
}

export function downSentence(result: DownResult): string {
  if (result.where !== undefined) {
    const [context, namespace] = result.where.split('/');
    return result.namespaceDeleted
      ? `${result.project} removed from ${context} with its namespace ${namespace} and volumes`
      : `${result.project} removed from ${result.where} (volumes and the namespace kept; --volumes removes them)${result.releases.length ? `; uninstalled ${result.releases.join(', ')}` : ''}`;
  }
  const volumes = result.volumes ? (result.removedVolumes.length > 0 ? ` with its volumes (${result.removedVolumes.join(', ')})` : ' (it had no named volumes)') : ' (named volumes kept; --volumes removes them)';
  return `${result.project} removed${volumes}${result.swept.length ? `; also removed ${result.swept.join(', ')}` : ''}${result.images.length ? `; removed ${result.images.length} image(s)` : ''}`;
}

export function statusTable(result: StatusResult): string[] {
  const where = result.where ? ` on ${result.where}` : '';
  if (result.rows.length === 0) return [`${result.project}: not running${where} (devpipe up${result.targetFlag} starts it)`];
  const lines = [`${result.project}${where}:`];
  for (const row of result.rows) {
    if (result.where) lines.push(`  ${row.service.padEnd(12)} ${(row.kind ?? '').padEnd(10)} ${(row.ready ?? '').padEnd(5)} ${row.state.padEnd(18)} ${row.urls.join(' ')}`.trimEnd());
    else lines.push(`  ${row.service.padEnd(12)} ${row.state.padEnd(9)} ${(row.health === 'none' || !row.health ? '-' : row.health).padEnd(10)} ${row.urls.join(' ').padEnd(24)} ${row.detail ?? ''}`);
  }
  return lines;
}

/** The e2e verdict: a line for stdout when it passed, the error text for stderr when not. */
export function e2eVerdict(result: E2eResult): { passed: true; line: string } | { passed: false; error: string } {
  if (result.exitCode === 0) return { passed: true, line: `e2e passed${result.where ? ` on ${result.where}` : ''} (${formatDuration(result.durationMs)})` };
  const t = result.targetFlag;
  return {
    passed: false,
    error: `error: the e2e suite failed (exit code ${result.exitCode}, ${formatDuration(result.durationMs)})\n  every service's logs are saved under ${result.reportDir ?? '?'}/\nhint: read them there, or \`devpipe logs${t}\`; the stack is still up for debugging (\`devpipe down${t}\` removes it)\n`,
  };
}
