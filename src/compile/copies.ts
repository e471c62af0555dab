/**
 * COPY instructions for `copies` (install phase) and builder `requirements` (pre-install), and
 * the Engine 20.10 workarounds for `exclude`:
 *
 * - from `local`: devpipe controls the context it sends, so the source is added to the context as
 *   a filtered view (`{kind: 'view'}` entry at `.devpipe-context/copy-<n>`, exclude patterns
 *   applied relative to the source) and the COPY reads from there. No newer syntax needed.
 * - from a variant or an image: a helper stage `FROM <that stage or image>` deletes the excluded
 *   paths (find + delete, patterns relative to the source directory, `**` read as `*`, `!`
 *   re-includes kept) and the COPY reads from the helper. This needs a shell and `find` in the
 *   source stage (Debian-based variants have them; scratch stages do not).
 *
 * Relative sources copied from another variant are made absolute against that variant's final
 * working directory (native Blubber's LLB resolves them there; Dockerfile `COPY --from` would
 * resolve them from `/`).
 */
import { cleanPath } from '../spec/blubber/patterns.js';
import { expandCopy, isDirPath, normalizedDestination, normalizedSource, LOCAL_CONTEXT, type Artifact, type ExpandedVariant } from '../spec/blubber/index.js';
import { finalWorkdir, GENERATED_DIR, localPath, noteImage, type CompileContext } from './context.js';
import { copy, quote, type Instruction, type Stage } from './instructions.js';

export const LIVES_CHOWN = '$LIVES_UID:$LIVES_GID';

interface ResolvedSource {
  /** `--from` value; undefined for the build context. */
  from: string | undefined;
  source: string;
}

function joinPath(dir: string, relative: string): string {
  const trailing = relative.endsWith('/') || cleanPath(relative) === '.' ? '/' : '';
  const joined = cleanPath(`${dir}/${relative}`);
  return joined === '/' ? '/' : `${joined}${trailing}`;
}

/** Resolves where a COPY reads an artifact's source from, applying excludes. */
export function resolveSource(ctx: CompileContext, artifact: Artifact, source: string): ResolvedSource {
  const exclude = artifact.exclude ?? [];
  if (artifact.from === LOCAL_CONTEXT) {
    if (exclude.length === 0) return { from: undefined, source: localPath(ctx, source, cleanPath(source)) };
    const n = ++ctx.counter;
    const dir = `${GENERATED_DIR}/copy-${n}`;
    const cleaned = cleanPath(source);
    if (isDirPath(source) || cleaned === '.') {
      ctx.entries.push({ kind: 'view', path: dir, source: cleaned, exclude });
      return { from: undefined, source: `${dir}/` };
    }
    const base = cleaned.slice(cleaned.lastIndexOf('/') + 1);
    ctx.entries.push({ kind: 'view', path: `${dir}/${base}`, source: cleaned, exclude });
    return { from: undefined, source: `${dir}/${base}` };
  }
  const variant = ctx.variants.get(artifact.from);
  if (!variant) noteImage(ctx, artifact.from);
  const absolute = source.startsWith('/') ? source : joinPath(finalWorkdir(variant), source);
  if (exclude.length === 0) return { from: artifact.from, source: absolute };
  return { from: excludeHelper(ctx, artifact.from, absolute, exclude), source: absolute };
}

/** A find(1) path test for a dockerignore-style pattern, relative to `.`; a leading `**` + `/x` also matches `x`. */
function findTest(pattern: string): string {
  const p = cleanPath(pattern.replace(/^\/+/, ''));
  const variants = p.startsWith('**/') ? [p.slice(3), p] : [p];
  const tests = variants
    .map((v) => v.replace(/\*\*/g, '*'))
    .flatMap((v) => [`-path ${quote(`./${v}`)}`, `-path ${quote(`./${v}/*`)}`]);
  return `\\( ${tests.join(' -o ')} \\)`;
}

/** Adds a helper stage that removes `exclude` matches under `source`; returns its name. */
function excludeHelper(ctx: CompileContext, from: string, source: string, exclude: readonly string[]): string {
  const name = `devpipe-exclude-${++ctx.counter}`;
  const excluded = exclude.filter((p) => !p.startsWith('!'));
  const included = exclude.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const match = excluded.length > 0 ? excluded.map(findTest).join(' -o ') : '-path "./*"';
  const keep = included.map((p) => `! ${findTest(p)}`).join(' ');
  const filesTest = ['! -type d', `\\( ${match} \\)`, keep].filter(Boolean).join(' ');
  const dirsTest = ['-type d', `\\( ${match} \\)`, keep, '-empty'].filter(Boolean).join(' ');
  const instructions: Instruction[] = [
    {
      kind: 'comment',
      text: `devpipe: \`exclude\` on a copy from ${from} (Engine 20.10 has no COPY --exclude):\nthis stage deletes ${JSON.stringify(exclude)} under ${source} and the COPY reads from it.`,
    },
    { kind: 'from', image: from, as: name },
    { kind: 'user', user: '0' },
    {
      kind: 'run',
      command: `if [ -d ${quote(source)} ]; then cd ${quote(source)} && find . -mindepth 1 ${filesTest} -delete && find . -mindepth 1 ${dirsTest} -delete; fi`,
    },
  ];
  ctx.helpers.push({ name, base: from, role: 'helper', instructions });
  return name;
}

/** Install-phase COPYs: one per (expanded) entry, raw paths, chowned unless scratch. */
export function installCopies(ctx: CompileContext, variant: ExpandedVariant): Instruction[] {
  const scratch = variant.base === undefined;
  const out: Instruction[] = [];
  for (const entry of variant.copies) {
    for (const artifact of expandCopy(entry, variant.lives.in)) {
      const resolved = resolveSource(ctx, artifact, artifact.source ?? '.');
      out.push(copy([resolved.source], artifact.destination ?? '.', { chown: scratch ? undefined : LIVES_CHOWN, from: resolved.from }));
    }
  }
  return out;
}

/**
 * Pre-install COPYs of a builder's requirements: grouped by `from` (first seen), then by
 * normalized destination (first seen); one COPY per group, all owned by the lives user.
 */
export function requirementCopies(ctx: CompileContext, requirements: readonly Artifact[]): Instruction[] {
  const groups: { from: string | undefined; destination: string; sources: string[] }[] = [];
  const fromOrder: (string | undefined)[] = [];
  const resolved = requirements.map((artifact) => {
    const destination = normalizedDestination(artifact);
    const source = resolveSource(ctx, artifact, normalizedSource(artifact));
    if (!fromOrder.includes(source.from)) fromOrder.push(source.from);
    return { ...source, destination };
  });
  for (const from of fromOrder) {
    for (const item of resolved.filter((r) => r.from === from)) {
      let group = groups.find((g) => g.from === from && g.destination === item.destination);
      if (!group) {
        group = { from, destination: item.destination, sources: [] };
        groups.push(group);
      }
      group.sources.push(item.source);
    }
  }
  return groups.map((g) => copy(g.sources, g.destination, { chown: LIVES_CHOWN, from: g.from }));
}

/** Helper stages created so far (they must be emitted before the stage that uses them). */
export function takeHelpers(ctx: CompileContext): Stage[] {
  return ctx.helpers.splice(0, ctx.helpers.length);
}
