/**
 * One expanded variant → one stage, through Blubber's five phases (build/phases.go):
 *
 * 1. privileged (root): arguments (ARG, sorted), apt, lives user + app/lib dirs, runs user
 * 2. privilege dropped (lives user): USER, HOME, WORKDIR lives.in, runs.environment
 * 3. pre-install: each builder in order (builders list, node, php, python, builder)
 * 4. install: copies, owned by the lives user (even with insecurely)
 * 5. post-install: runs user (unless insecurely), builder post steps (NODE_ENV, pip check),
 *    WORKDIR runs.in, ENTRYPOINT
 *
 * A scratch variant (no base anywhere) gets only FROM scratch, unowned copies and ENTRYPOINT.
 */
import { builderKindOf, type ExpandedVariant } from '../spec/blubber/index.js';
import { aptInstructions } from './apt.js';
import { customSteps } from './builders/custom.js';
import { nodeSteps } from './builders/node.js';
import { phpSteps } from './builders/php.js';
import { pythonSteps } from './builders/python.js';
import type { BuilderSteps } from './builders/types.js';
import type { CompileContext } from './context.js';
import { installCopies } from './copies.js';
import { env, homeOf, run, shell, withPhase, type Instruction, type PhasedInstruction, type Stage } from './instructions.js';

export const SCRATCH = 'scratch';

function userCreation(prefix: 'LIVES' | 'RUNS'): string[] {
  const [as, uid, gid] = [`$${prefix}_AS`, `$${prefix}_UID`, `$${prefix}_GID`];
  return [shell('(getent group %s || groupadd -o -g %s -r %s)', gid, gid, as), shell('(getent passwd %s || useradd -l -o -m -d %s -r -g %s -u %s %s)', uid, `/home/${as}`, gid, uid, as)];
}

function identityArgs(prefix: 'LIVES' | 'RUNS', identity: { as: string; uid: number; gid: number }): Instruction[] {
  return [
    { kind: 'arg', name: `${prefix}_AS`, value: identity.as },
    { kind: 'arg', name: `${prefix}_UID`, value: identity.uid },
    { kind: 'arg', name: `${prefix}_GID`, value: identity.gid },
  ];
}

function privileged(ctx: CompileContext, variant: ExpandedVariant): Instruction[] {
  const out: Instruction[] = [
    { kind: 'user', user: '0' },
    { kind: 'env', vars: [['HOME', homeOf('root')]] },
  ];
  for (const name of Object.keys(variant.arguments).sort()) out.push({ kind: 'arg', name, value: variant.arguments[name] ?? '' });
  out.push(...aptInstructions(ctx, variant));
  const dirs = [variant.lives.in, '/opt/lib'].flatMap((dir) => [shell('mkdir -p', dir), shell('chown %s:%s', '$LIVES_UID', '$LIVES_GID', dir)]);
  out.push(...identityArgs('LIVES', variant.lives), run([...userCreation('LIVES'), ...dirs]));
  out.push(...identityArgs('RUNS', variant.runs), run(userCreation('RUNS')));
  return out;
}

function privilegeDropped(variant: ExpandedVariant): (Instruction | undefined)[] {
  return [
    { kind: 'user', user: '$LIVES_UID' },
    { kind: 'env', vars: [['HOME', homeOf(variant.lives.as)]] },
    { kind: 'workdir', path: variant.lives.in },
    env(variant.runs.environment),
  ];
}

/** Every builder's steps, in phase order. */
export function builderSteps(ctx: CompileContext, variant: ExpandedVariant): BuilderSteps[] {
  const steps: BuilderSteps[] = [];
  for (const entry of variant.builders ?? []) {
    const kind = builderKindOf(entry);
    if (kind === 'node' && entry.node) steps.push(nodeSteps(ctx, entry.node));
    else if (kind === 'python' && entry.python) steps.push(pythonSteps(ctx, entry.python));
    else if (kind === 'php' && entry.php) steps.push(phpSteps(ctx, entry.php));
    else if (entry.custom) steps.push(customSteps(ctx, variant, entry.custom));
  }
  if (variant.node) steps.push(nodeSteps(ctx, variant.node));
  if (variant.php) steps.push(phpSteps(ctx, variant.php));
  if (variant.python) steps.push(pythonSteps(ctx, variant.python));
  if (variant.builder) steps.push(customSteps(ctx, variant, variant.builder));
  return steps;
}

function postInstall(variant: ExpandedVariant, steps: BuilderSteps[]): Instruction[] {
  const out: Instruction[] = [];
  if (!variant.runs.insecurely) {
    out.push({ kind: 'user', user: '$RUNS_UID' }, { kind: 'env', vars: [['HOME', '/home/$RUNS_AS']] });
  }
  for (const step of steps) out.push(...step.post);
  if (variant.runs.in !== undefined) out.push({ kind: 'workdir', path: variant.runs.in });
  // Blubber emits ENTRYPOINT only for a non-empty list (config/variant.go: len > 0): `entrypoint: []`
  // keeps the base image's entrypoint (and still replaces an inherited one with nothing).
  if (hasEntrypoint(variant)) out.push({ kind: 'entrypoint', args: variant.entrypoint });
  return out;
}

function hasEntrypoint(variant: ExpandedVariant): variant is ExpandedVariant & { entrypoint: string[] } {
  return variant.entrypoint !== undefined && variant.entrypoint.length > 0;
}

/** The stage of one expanded variant. */
export function compileStage(ctx: CompileContext, variant: ExpandedVariant): Stage {
  if (variant.base === undefined) {
    const instructions: PhasedInstruction[] = [
      ...withPhase('privileged', [{ kind: 'from', image: SCRATCH, as: variant.name }]),
      ...withPhase('install', installCopies(ctx, variant)),
      ...withPhase('post-install', hasEntrypoint(variant) ? [{ kind: 'entrypoint', args: variant.entrypoint }] : []),
    ];
    return { name: variant.name, base: SCRATCH, role: 'variant', instructions };
  }
  const steps = builderSteps(ctx, variant);
  const instructions: PhasedInstruction[] = [
    ...withPhase('privileged', [{ kind: 'from', image: variant.base, as: variant.name }, ...privileged(ctx, variant)]),
    ...withPhase('privilege-dropped', privilegeDropped(variant)),
    ...withPhase('pre-install', steps.flatMap((s) => s.pre)),
    ...withPhase('install', installCopies(ctx, variant)),
    ...withPhase('post-install', postInstall(variant, steps)),
  ];
  return { name: variant.name, base: variant.base, role: 'variant', instructions };
}
