/** What `import-staging` prints: the layers, the services, what was adapted, what was written. */
import type { ApplyResult } from '../engine/staging/apply.js';
import type { StagingImport } from '../engine/staging/import.js';

export function stagingImportLines(service: string, result: StagingImport, applied: ApplyResult, output: string): { lines: string[]; data: unknown } {
  const data = {
    service,
    action: applied.action,
    output: applied.output,
    services: result.services.map((s) => ({ name: s.name, kind: s.kind, chart: s.chart, release: s.release })),
    layers: result.layers.map((l) => ({ role: l.role, file: l.file, status: l.status, note: l.note })),
    notes: result.services.flatMap((s) => s.notes.map((note) => ({ service: s.name, note }))),
    warnings: result.warnings,
    secrets: [...result.secrets.keys()],
    fakesAdded: applied.fakesAdded,
    secretsStore: applied.store,
  };
  const lines: string[] = [];
  lines.push(`layers of ${service} (lowest first):`);
  result.layers.forEach((l, i) => lines.push(`  ${i + 1}. ${l.role.padEnd(32)} ${l.file} (${l.status}${l.note ? `: ${l.note}` : ''})`));
  lines.push('services:');
  for (const s of result.services) lines.push(`  ${s.name.padEnd(20)} ${s.kind === 'built' ? `built here (${String(s.spec.build)})` : `pinned ${String(s.spec.image)}`}`);
  lines.push('adapted, dropped or stood in for:');
  for (const s of result.services) for (const note of s.notes) lines.push(`  ${s.name}: ${note}`);
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  if (applied.fakesAdded.length > 0) lines.push(`fake values generated for ${applied.fakesAdded.length} secret(s) in ${applied.store} (outside the repository)`);
  if (applied.action === 'dry-run') {
    lines.push(`\n# ${output} (dry run: nothing written)`);
    lines.push(result.text.trimEnd());
    if (applied.diff) lines.push(`\n${applied.diff.trimEnd()}`);
  } else if (applied.action === 'kept-local-edits') {
    lines.push(`${output} has local edits since the last import: not overwritten. The import differs:`);
    lines.push(applied.diff.trimEnd());
    lines.push(`the imported text is in ${applied.pending ?? ''}; merge it by hand, or rerun with --force to overwrite`);
  } else if (applied.action === 'updated') {
    lines.push(applied.diff.trimEnd());
    lines.push(`${output} updated`);
  } else lines.push(`${output} ${applied.action}`);
  return { lines, data };
}
