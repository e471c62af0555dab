/** A unified line diff (LCS), for showing what a re-import would change. Pure. */

export function unifiedDiff(before: string, after: string, labels: [string, string], context = 3): string {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: { op: ' ' | '-' | '+'; line: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ op: ' ', line: a[i++]!, ai: i, bi: ++j });
    else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ op: '-', line: a[i++]!, ai: i, bi: j });
    else ops.push({ op: '+', line: b[j++]!, ai: i, bi: j });
  }
  if (!ops.some((o) => o.op !== ' ')) return '';
  const out = [`--- ${labels[0]}`, `+++ ${labels[1]}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.op === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - context);
    let end = k;
    while (end < ops.length) {
      if (ops[end]!.op !== ' ') end++;
      else {
        let run = end;
        while (run < ops.length && ops[run]!.op === ' ') run++;
        if (run - end > 2 * context || run === ops.length) {
          end = Math.min(ops.length, end + context);
          break;
        }
        end = run;
      }
    }
    const hunk = ops.slice(start, end);
    const aStart = (hunk[0]?.ai ?? 0) - (hunk[0]?.op === '+' ? 0 : 1) + 1;
    const bStart = (hunk[0]?.bi ?? 0) - (hunk[0]?.op === '-' ? 0 : 1) + 1;
    out.push(`@@ -${aStart},${hunk.filter((o) => o.op !== '+').length} +${bStart},${hunk.filter((o) => o.op !== '-').length} @@`);
    for (const o of hunk) out.push(`${o.op}${o.line}`);
    k = end;
  }
  return `${out.join('\n')}\n`;
}
