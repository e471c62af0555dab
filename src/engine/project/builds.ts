/** The builds of a stack, compiled (grouped by Blubber file), refusing contexts that would hold a secret. */
import path from 'node:path';
import type { CompiledImage } from '../build.js';
import { contextLeakError, contextLeaks } from '../stack/leak-scan.js';
import { buildKey, buildsOf } from '../stack/model.js';
import { envFilePath, secretPath } from '../stack/files.js';
import type { StackBuild } from '../stack/up.js';
import { DevpipeError } from '../../errors.js';
import type { StackConfig } from '../../spec/stack/index.js';
import { checkIgnoredCopies, compileAll, loadProjectBlubber, stackFileFor } from './blubber.js';
import { dockerignorePatterns, type Workspace } from './workspace.js';
import { zeroConfigError } from './zero-config.js';

/** Paths (relative to the project) that must never be in a build context. */
export function secretPaths(root: string, config: StackConfig, secretsFile: string | undefined): string[] {
  const paths = config.secrets.map((s) => secretPath(s.name));
  for (const service of config.services) if (service.secrets.some((s) => s.env)) paths.push(envFilePath(service.name));
  if (secretsFile) {
    const relative = path.relative(root, path.resolve(root, secretsFile));
    if (!relative.startsWith('..') && !path.isAbsolute(relative)) paths.push(relative.split(path.sep).join('/'));
  }
  return paths;
}

/** Compiles every build of the stack (grouped by Blubber file); refuses contexts holding secrets. */
export async function compileStackBuilds(ws: Workspace, config: StackConfig, withSuite: boolean, secretsFile: string | undefined, onlySuite = false): Promise<StackBuild[]> {
  let builds = buildsOf(config, withSuite);
  if (onlySuite) builds = config.e2e?.image.kind === 'build' ? builds.filter((b) => buildKey(b) === buildKey(config.e2e!.image as typeof b)) : [];
  const byFile = new Map<string, string[]>();
  for (const build of builds) byFile.set(build.blubber, [...(byFile.get(build.blubber) ?? []), build.variant]);
  const compiled = new Map<string, CompiledImage>();
  for (const [file, variants] of byFile) {
    const { config: blubber, images } = await loadProjectBlubber(ws, file).catch((error: unknown) => {
      throw config.file === undefined ? zeroConfigError(config, error as Error, file) : error;
    });
    const unknown = variants.filter((v) => !blubber.variants[v]);
    if (unknown.length > 0 && config.file === undefined) {
      const available = Object.keys(blubber.variants);
      const guess = available.find((v) => /prod/.test(v)) ?? available.find((v) => !/test|lint|build/.test(v)) ?? available[0] ?? 'production';
      throw new DevpipeError('usage', `the zero-config default builds variant "${unknown[0]}" of ${file}, which has no such variant (it has: ${available.join(', ') || 'none'})`, {
        hint: `pass --variant ${guess}, or write .pipeline/devpipe.yaml:\n${stackFileFor(file, config.services[0]?.name ?? 'service', guess)}`,
      });
    }
    const builds = compileAll(ws.bus, blubber, variants, {}, images);
    await checkIgnoredCopies(ws, builds);
    builds.forEach((image, index) => compiled.set(`${file}#${variants[index]}`, image));
  }
  const patterns = await dockerignorePatterns(ws.reader);
  const risky = secretPaths(ws.reader.root, config, secretsFile);
  const out: StackBuild[] = [];
  for (const build of builds) {
    const image = compiled.get(buildKey(build));
    if (!image) continue;
    const leaks = contextLeaks(image.extraEntries, false, risky, patterns, (p) => ws.ignoreMatcher(p));
    if (leaks.length > 0) throw contextLeakError(build.variant, leaks);
    out.push({ key: buildKey(build), image });
  }
  return out;
}

