/**
 * Evaluating `rules` and `workflow:rules` (kokkuri.md §2.8): the first rule whose clauses all
 * match decides; its `when` (default on_success) applies. Every decision carries the text users
 * see in `devpipe ci --plan`: which rule decided, and why the ones before it did not match.
 */
import { evaluateIf, type Lookup } from './expr.js';
import { matchesAny } from './glob.js';
import type { Rule, When } from './types.js';

export type Changes = { kind: 'all'; reason: string } | { kind: 'files'; files: readonly string[]; from: string };

export interface RuleContext {
  lookup: Lookup;
  changes: Changes;
  /** Does any file of the checkout match the glob? */
  exists: (glob: string) => boolean;
}

export type RuleOutcome =
  | { matched: true; rule: Rule; when: When; text: string }
  | { matched: false; text: string };

export function ruleText(rule: Rule): string {
  const parts: string[] = [];
  if (rule.if !== undefined) parts.push(`if: ${rule.if}`);
  if (rule.changes) parts.push(`changes: [${rule.changes.join(', ')}]`);
  if (rule.exists) parts.push(`exists: [${rule.exists.join(', ')}]`);
  if (rule.when) parts.push(`when: ${rule.when}`);
  return parts.join(', ') || '(empty rule)';
}

/** Why one rule does not match, or undefined when it does. */
function mismatch(rule: Rule, ctx: RuleContext): string | undefined {
  if (rule.if !== undefined && !evaluateIf(rule.if, ctx.lookup)) return `\`${rule.if}\` is false`;
  if (rule.changes) {
    if (ctx.changes.kind === 'files') {
      if (!matchesAny(rule.changes, ctx.changes.files)) return `no changed file (since ${ctx.changes.from}) matches changes: [${rule.changes.join(', ')}]`;
    }
  }
  if (rule.exists && !rule.exists.some((glob) => ctx.exists(glob))) return `no file matches exists: [${rule.exists.join(', ')}]`;
  return undefined;
}

export function evaluateRules(rules: readonly Rule[], ctx: RuleContext, what: string): RuleOutcome {
  const misses: string[] = [];
  for (const rule of rules) {
    const why = mismatch(rule, ctx);
    if (why === undefined) {
      const when = rule.when ?? 'on_success';
      const changesNote = rule.changes && ctx.changes.kind === 'all' ? ` (changes counts as true: ${ctx.changes.reason})` : '';
      return { matched: true, rule, when, text: `${what} rule ${rule.index} matched (${ruleText(rule)})${changesNote}` };
    }
    misses.push(`rule ${rule.index}: ${why}`);
  }
  return { matched: false, text: rules.length === 0 ? `${what} has an empty rules list` : `no ${what} rule matched (${misses.join('; ')})` };
}
