/**
 * The leak guard, pure part: find secret values in byte streams (files of image layers, split in
 * arbitrary chunks), in an image config (env, labels, history), and in what a build context would
 * send. The I/O (reading `docker save` output) is in src/docker/image-scan.ts.
 */
import { DevpipeError } from '../../errors.js';
import type { ContextEntry, LeakFinding } from '../../ports.js';
import { MultiMatcher, type Needle } from './multi-match.js';

export type { Needle } from './multi-match.js';
/** The streaming matcher of every value and its encoded forms (one pass, see multi-match.ts). */
export { MultiMatcher as ChunkMatcher } from './multi-match.js';

export interface ImageConfigView {
  env?: readonly string[] | null | undefined;
  labels?: Readonly<Record<string, string>> | null | undefined;
  history?: readonly { created_by?: string | undefined; comment?: string | undefined }[] | null | undefined;
  entrypoint?: readonly string[] | null | undefined;
  cmd?: readonly string[] | null | undefined;
}

export function scanImageConfig(config: ImageConfigView, needles: readonly Needle[] | MultiMatcher): LeakFinding[] {
  const matcher = needles instanceof MultiMatcher ? needles : new MultiMatcher(needles);
  const findings: LeakFinding[] = [];
  const note = (texts: readonly string[], where: LeakFinding['where'], path: string) => {
    for (const secret of new Set(texts.flatMap((text) => matcher.search(text)))) findings.push({ secret, where, path });
  };
  for (const entry of config.env ?? []) note([entry], 'env', entry.split('=')[0] ?? '');
  for (const [key, value] of Object.entries(config.labels ?? {})) note([key, value], 'label', key);
  (config.history ?? []).forEach((step, index) => note([step.created_by ?? '', step.comment ?? ''], 'history', `step ${index + 1}: ${(step.created_by ?? '').slice(0, 60)}`));
  note([...(config.entrypoint ?? []), ...(config.cmd ?? [])], 'config', 'entrypoint/cmd');
  // Grouped by secret, as a reader looks for them.
  return findings.sort((a, b) => a.secret.localeCompare(b.secret));
}

function describe(finding: LeakFinding): string {
  switch (finding.where) {
    case 'layer':
      return `secret "${finding.secret}" in layer ${finding.layer ?? '?'} at /${(finding.path ?? '').replace(/^\/+/, '')}`;
    case 'env':
      return `secret "${finding.secret}" in the image env (${finding.path ?? '?'})`;
    case 'label':
      return `secret "${finding.secret}" in label ${finding.path ?? '?'}`;
    case 'history':
      return `secret "${finding.secret}" in the build history (${finding.path ?? '?'})`;
    default:
      return `secret "${finding.secret}" in the image config (${finding.path ?? '?'})`;
  }
}

/** Exit 1: the image holds a secret's value; names secret, layer and path. */
export function leakError(ref: string, findings: readonly LeakFinding[]): DevpipeError {
  const first = findings[0];
  return new DevpipeError('failure', `image ${ref} contains the value of ${first ? `secret "${first.secret}"` : 'a secret'}${findings.length > 1 ? ` (${findings.length} places)` : ''}`, {
    details: findings.slice(0, 20).map(describe),
    hint: 'secrets reach a service only at deploy time (/run/secrets/<name>); remove the value from the build (files, ENV, ARG, labels), rebuild, and delete this image (`docker rmi`)',
  });
}

/** Matcher factory for dockerignore patterns (the adapter passes Docker's own matching rules). */
export type PatternMatcher = (patterns: readonly string[]) => (relative: string) => boolean;

function strip(path: string): string {
  return path.replace(/^\.\/+/, '').replace(/\/+$/, '');
}

/**
 * Paths (relative to the project) of secret files a build context would send: the project root
 * when `sendProject`, and every `view` entry whose source covers the file and does not exclude it.
 */
export function contextLeaks(
  entries: readonly ContextEntry[],
  sendProject: boolean,
  secretPaths: readonly string[],
  projectPatterns: readonly string[],
  matcher: PatternMatcher,
): string[] {
  const projectIgnored = matcher(projectPatterns);
  const leaks = new Set<string>();
  for (const raw of secretPaths) {
    const file = strip(raw);
    // devpipe's own state is never part of a build context (docker/build-context.ts isDevpipeOwn).
    if (file === '.devpipe' || file.startsWith('.devpipe/')) continue;
    if (projectIgnored(file)) continue;
    if (sendProject) leaks.add(file);
    for (const entry of entries) {
      if (entry.kind !== 'view') continue;
      const source = strip(entry.source);
      let relative: string | undefined;
      if (source === '' || source === '.') relative = file;
      else if (file === source) relative = file.split('/').pop();
      else if (file.startsWith(`${source}/`)) relative = file.slice(source.length + 1);
      else if (/[*?[]/.test(source) && matcher([source])(file)) relative = file;
      if (relative !== undefined && !matcher(entry.exclude)(relative)) leaks.add(file);
    }
  }
  return [...leaks];
}

export function contextLeakError(variant: string, leaks: readonly string[]): DevpipeError {
  return new DevpipeError('spec', `refusing to build ${variant}: its build context would contain secret files`, {
    details: leaks.map((l) => `${l}`),
    hint: 'add your --secrets file to .dockerignore (or keep it outside the project), or copy narrower paths in the Blubber variant; secrets must never enter a build context',
  });
}
