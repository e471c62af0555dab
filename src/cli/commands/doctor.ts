/** `devpipe doctor [--target compose|minikube]`: what this machine has, and what to fix (exit 3 when the target cannot work). */
import { assess, type Target } from '../../engine/doctor.js';
import { gatherFacts, projectImageChecks } from '../../engine/doctor-facts.js';
import { doctorLines } from '../../ui/doctor.js';
import type { Context } from '../context.js';

export async function run(ctx: Context): Promise<number> {
  const target: Target = ctx.targetName(undefined);
  const host = await ctx.doctorHost();
  const facts = await gatherFacts(host);
  const report = assess(facts, target);
  const imageChecks = await projectImageChecks(await ctx.workspace(), (await ctx.docker()).images, facts);
  if (imageChecks.length > 0) {
    report.checks.push(...imageChecks);
    report.ok = report.ok && imageChecks.every((c) => c.status !== 'missing');
  }
  if (ctx.options.json) {
    ctx.write('out', `${JSON.stringify(report)}\n`);
    return report.ok ? 0 : 3;
  }
  const shown = doctorLines(report, target, ctx.options.color && Boolean(ctx.streams.out.isTTY) && ctx.env.NO_COLOR === undefined);
  for (const line of shown.lines) ctx.print(line);
  return shown.ok ? 0 : 3;
}
