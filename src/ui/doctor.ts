/** `devpipe doctor`'s report for people: a mark, the check, its detail and fix; the verdict. */
import type { DoctorReport } from '../engine/doctor.js';
import { paint } from './format.js';

export function doctorLines(report: DoctorReport, target: string, color: boolean): { lines: string[]; ok: boolean } {
  const p = paint(color);
  const lines: string[] = [];
  const width = Math.max(...report.checks.map((c) => c.name.length));
  for (const check of report.checks) {
    const mark = check.status === 'ok' ? p.green('✔') : check.status === 'warn' ? p.yellow('!') : check.required ? p.red('✖') : p.yellow('✖');
    lines.push(`${mark} ${check.name.padEnd(width)}  ${check.detail}`);
    if (check.fix && check.status !== 'ok') lines.push(`  ${' '.repeat(width)}  ${p.dim(`fix: ${check.fix.split('\n').join(`\n  ${' '.repeat(width)}       `)}`)}`);
  }
  lines.push('');
  if (report.ok) {
    lines.push(p.green(`ready: the ${target} target can work on this machine`));
    return { lines, ok: true };
  }
  const missing = [...new Set(report.checks.filter((c) => c.required && c.status === 'missing').map((c) => c.name))];
  lines.push(p.red(`not ready for the ${target} target: missing ${missing.join(', ')} (fixes above)`));
  return { lines, ok: false };
}
