/**
 * From raw file events to what an iteration must do: which images a change affects (and by which
 * files, the reason shown to the user), whether a spec file changed (recompile everything; the
 * content hash then rebuilds only what really changed), and what was ignored.
 */

/** Editor and tool noise that never triggers anything (vim, emacs, JetBrains, VS Code, macOS). */
export const alwaysIgnored: readonly RegExp[] = [
  /(^|\/)\.git(\/|$)/,
  /(^|\/)\.devpipe(\/|$)/,
  /(^|\/)\.hg(\/|$)/,
  /(^|\/)\.svn(\/|$)/,
  /\.sw[a-p]$/, // vim swap files
  /(^|\/)4913$/, // vim's write test file
  /~$/, // vim/emacs backups
  /(^|\/)\.#[^/]*$/, // emacs lock files
  /(^|\/)#[^/]*#$/, // emacs auto-save
  /___jb_(tmp|old)___$/, // JetBrains safe write
  /\.crswap$/, // VS Code / browsers
  /\.tmp$/,
  /(^|\/)\.DS_Store$/,
  /(^|\/)node_modules\/\.cache(\/|$)/,
];

export function isNoise(relative: string): boolean {
  return alwaysIgnored.some((pattern) => pattern.test(relative));
}

export interface ChangeTargets {
  /** Project-relative spec files (Blubber, config.yaml, devpipe.yaml). */
  specFiles: readonly string[];
  /** Image name → is this path one of its inputs? */
  images: ReadonlyMap<string, (relative: string) => boolean>;
}

export interface ChangeSet {
  /** Image → the changed input files (the reason). */
  affected: Map<string, string[]>;
  /** Spec files that changed: reload and recompile. */
  specs: string[];
  /** Paths that matched nothing (unrelated or ignored). */
  unrelated: string[];
}

export function emptyChangeSet(): ChangeSet {
  return { affected: new Map(), specs: [], unrelated: [] };
}

/** Adds changed paths to a change set (paths already present are not repeated). */
export function addChanges(set: ChangeSet, paths: Iterable<string>, targets: ChangeTargets): ChangeSet {
  for (const path of paths) {
    if (isNoise(path)) continue;
    if (targets.specFiles.includes(path)) {
      if (!set.specs.includes(path)) set.specs.push(path);
      continue;
    }
    let matched = false;
    for (const [image, isInput] of targets.images) {
      if (!isInput(path)) continue;
      matched = true;
      const files = set.affected.get(image) ?? [];
      if (!files.includes(path)) files.push(path);
      set.affected.set(image, files);
    }
    if (!matched && !set.unrelated.includes(path)) set.unrelated.push(path);
  }
  return set;
}

export function isEmpty(set: ChangeSet): boolean {
  return set.affected.size === 0 && set.specs.length === 0;
}

/** "src/app.js, src/lib.js and 3 more" */
export function describeFiles(files: readonly string[], max = 3): string {
  if (files.length <= max) return files.join(', ');
  return `${files.slice(0, max).join(', ')} and ${files.length - max} more`;
}
