/**
 * Which variants become build stages, in which order (Blubber §2.4). A variant depends on every
 * defined variant its *expanded* config references in `copies[].from`, builder
 * `requirements[].from` or builder `mounts[].from` (so copies inherited through includes count,
 * as in Blubber, bug T289880). Stages are emitted dependencies first, depth first in reference
 * order (copies, then builders in phase order), each once, then the variant itself.
 */
import type { SpecIssue, SpecResult } from '../issues.js';
import { expandVariant, issueFor, unknownVariant } from './expand.js';
import type { ExpandedVariant } from './merge.js';
import { builderKindOf, LOCAL_CONTEXT, type Artifact, type BlubberConfig, type Mount } from './schema.js';

/** The builders of an expanded variant in phase order: builders list, node, php, python, builder. */
export function buildersInOrder(variant: ExpandedVariant): { kind: 'node' | 'python' | 'php' | 'custom'; requirements: Artifact[]; mounts: Mount[] }[] {
  const out: { kind: 'node' | 'python' | 'php' | 'custom'; requirements: Artifact[]; mounts: Mount[] }[] = [];
  for (const entry of variant.builders ?? []) {
    const kind = builderKindOf(entry);
    const builder = entry[kind] as { requirements?: Artifact[]; mounts?: Mount[] } | undefined;
    out.push({ kind, requirements: builder?.requirements ?? [], mounts: builder?.mounts ?? [] });
  }
  if (variant.node) out.push({ kind: 'node', requirements: variant.node.requirements ?? [], mounts: [] });
  if (variant.php) out.push({ kind: 'php', requirements: variant.php.requirements ?? [], mounts: [] });
  if (variant.python) out.push({ kind: 'python', requirements: variant.python.requirements ?? [], mounts: [] });
  if (variant.builder) out.push({ kind: 'custom', requirements: variant.builder.requirements ?? [], mounts: variant.builder.mounts ?? [] });
  return out;
}

/** The defined variants an expanded variant references, in reference order, each once. */
export function dependenciesOf(config: BlubberConfig, variant: ExpandedVariant): string[] {
  const refs: string[] = variant.copies.map((copy) => copy.from);
  for (const builder of buildersInOrder(variant)) {
    refs.push(...builder.requirements.map((r) => r.from), ...builder.mounts.map((m) => m.from));
  }
  const out: string[] = [];
  for (const ref of refs) {
    if (ref === LOCAL_CONTEXT) continue; // always the build context, even if a variant is named `local`
    if (config.variants[ref] !== undefined && !out.includes(ref)) out.push(ref);
  }
  return out;
}

/** The expanded variants to build for `name`, dependencies first, `name` last. */
export function planStages(config: BlubberConfig, name: string): SpecResult<ExpandedVariant[]> {
  if (config.variants[name] === undefined) return { ok: false, errors: [unknownVariant(config, name)], warnings: [] };
  const done = new Map<string, ExpandedVariant>();
  const stack: string[] = [];
  const errors: SpecIssue[] = [];

  const visit = (current: string): boolean => {
    const expanded = expandVariant(config, current);
    if (!expanded.ok) {
      errors.push(...expanded.errors);
      return false;
    }
    stack.push(current);
    for (const dep of dependenciesOf(config, expanded.value)) {
      if (stack.includes(dep)) {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep].join(' → ');
        errors.push(
          issueFor(config, ['variants', current], `processing copies for variant "${name}": copies form a cycle: ${cycle}`, 'variants cannot copy from each other in a loop (copies, requirements and mounts from other variants count, including inherited ones)'),
        );
        return false;
      }
      if (done.has(dep)) continue;
      if (!visit(dep)) return false;
    }
    stack.pop();
    done.set(current, expanded.value);
    return true;
  };

  visit(name);
  if (errors.length > 0) return { ok: false, errors: dedupe(errors), warnings: [] };
  return { ok: true, value: [...done.values()], warnings: [] };
}

function dedupe(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.col}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
