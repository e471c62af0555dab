/**
 * The hot path: can a changed file be copied into the running container instead of rebuilding?
 * Only when devpipe can prove the rebuilt image would differ from the running one by exactly that
 * file: the file reaches the image through one COPY of the final stage, nothing runs after that
 * COPY, and no other instruction (a builder requirement, a bind mount, an earlier stage) reads it.
 * Pure: works on the compiled stages.
 */
import type { Instruction, PhasedInstruction, Stage } from '../../compile/instructions.js';

/** Where mirrored local files appear in the build context (see compile/context.ts). */
const LOCAL_PREFIX = '.devpipe-context/local/';

export interface SyncTarget {
  /** Absolute path in the container. */
  containerPath: string;
  uid: number;
  gid: number;
}

export type SyncDecision = { sync: true; target: SyncTarget } | { sync: false; reason: string };

function posixJoin(...parts: string[]): string {
  const out: string[] = [];
  for (const part of parts.join('/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** The project path a local COPY source covers: a directory (trailing `/`, or the root) or one file. */
function covers(source: string, path: string): { dir: boolean; rel: string } | undefined {
  if (!source.startsWith(LOCAL_PREFIX)) return undefined;
  const local = source.slice(LOCAL_PREFIX.length);
  if (/[*?[]/.test(local)) return local === '' ? undefined : { dir: false, rel: '\u0000glob' };
  if (local === '' ) return { dir: true, rel: path };
  if (local.endsWith('/')) {
    const dir = local.slice(0, -1);
    return path.startsWith(`${dir}/`) ? { dir: true, rel: path.slice(dir.length + 1) } : undefined;
  }
  if (path === local) return { dir: false, rel: path };
  if (path.startsWith(`${local}/`)) return { dir: true, rel: path.slice(local.length + 1) };
  return undefined;
}

function bindCovers(instruction: Instruction, path: string): boolean {
  if (instruction.kind !== 'run') return false;
  return (instruction.mounts ?? []).some((m) => m.type === 'bind' && m.from === undefined && m.source !== undefined && covers(m.source.endsWith('/') ? m.source : `${m.source}/`, path) !== undefined);
}

function numericArg(stage: Stage, name: string, buildArgs: Readonly<Record<string, string>>): number | undefined {
  const declared = stage.instructions.find((i): i is Extract<PhasedInstruction, { kind: 'arg' }> => i.kind === 'arg' && i.name === name);
  const value = buildArgs[name] ?? (declared ? String(declared.value) : undefined);
  const parsed = value === undefined ? NaN : Number(value);
  return Number.isInteger(parsed) ? parsed : undefined;
}

function owner(chown: string | undefined, stage: Stage, buildArgs: Readonly<Record<string, string>>): { uid: number; gid: number } | undefined {
  if (chown === undefined) return { uid: 0, gid: 0 };
  const [user = '', group = user] = chown.split(':');
  const resolve = (part: string) => (/^\d+$/.test(part) ? Number(part) : /^\$[A-Z_]+$/.test(part) ? numericArg(stage, part.slice(1), buildArgs) : undefined);
  const uid = resolve(user);
  const gid = resolve(group);
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

/** Decides for one changed project-relative path of an image built from `stages`. */
export function syncDecision(stages: readonly Stage[], path: string, buildArgs: Readonly<Record<string, string>> = {}): SyncDecision {
  const final = stages[stages.length - 1];
  if (!final) return { sync: false, reason: 'no stages' };
  let uses = 0;
  let found: { index: number; instruction: Extract<Instruction, { kind: 'copy' }>; rel: string; dir: boolean } | undefined;
  for (const stage of stages) {
    stage.instructions.forEach((instruction, index) => {
      if (bindCovers(instruction, path)) uses++;
      if (instruction.kind !== 'copy' || instruction.from !== undefined) return;
      for (const source of instruction.sources) {
        const covered = covers(source, path);
        if (!covered) continue;
        uses++;
        if (stage === final) found = { index, instruction, rel: covered.rel, dir: covered.dir };
      }
    });
  }
  if (!found || uses !== 1) return { sync: false, reason: uses === 0 ? 'not copied into the final image' : 'read by more than one build step' };
  if (found.rel === '\u0000glob') return { sync: false, reason: 'copied through a wildcard' };
  const after = final.instructions.slice(found.index + 1);
  if (after.some((i) => i.kind === 'run')) return { sync: false, reason: 'a build step runs after it is copied' };
  let workdir = '/';
  for (const instruction of final.instructions.slice(0, found.index)) if (instruction.kind === 'workdir') workdir = posixJoin(workdir, instruction.path);
  const destination = found.instruction.destination;
  const base = destination.startsWith('/') ? destination : posixJoin(workdir, destination);
  const single = found.instruction.sources.length === 1;
  let containerPath: string;
  if (found.dir) containerPath = posixJoin(base, found.rel);
  else containerPath = destination.endsWith('/') || !single ? posixJoin(base, found.rel.split('/').pop() ?? found.rel) : posixJoin(base);
  const ids = owner(found.instruction.chown, final, buildArgs);
  if (!ids) return { sync: false, reason: `cannot resolve the owner ${found.instruction.chown}` };
  return { sync: true, target: { containerPath, ...ids } };
}
