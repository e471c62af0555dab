/**
 * The dev loop's plan, loaded through the workspace (and again whenever a spec file changes):
 * the stack's compiled builds with their stages (the hot path reads them), the secrets, the spec
 * files to watch, the unit-test build (the `test` variant, or `--test-variant`).
 */
import type { CompiledBuild } from '../../compile/index.js';
import { DevpipeError } from '../../errors.js';
import { STACK_FILE, type StackConfig } from '../../spec/stack/index.js';
import { compileAll, defaultBlubberFile, loadProjectBlubber } from '../project/blubber.js';
import type { LoadedStack } from '../targets/types.js';
import { dockerignorePatterns, type Workspace } from '../project/workspace.js';
import type { DevBuild, DevPlan } from './plan.js';

const PIPELINE_FILE = '.pipeline/config.yaml';

/** The unit-test build: `variant` when given (it must exist), else `test` when the Blubber file has one. */
async function testBuild(ws: Workspace, config: StackConfig, variant: string | false | undefined): Promise<DevBuild | undefined> {
  if (variant === false) return undefined;
  const file = config.services.find((s) => s.image.kind === 'build')?.image;
  const blubber = file?.kind === 'build' ? file.blubber : defaultBlubberFile;
  const { config: spec, images } = await loadProjectBlubber(ws, blubber);
  const name = variant ?? 'test';
  if (!spec.variants[name]) {
    if (variant !== undefined) throw new DevpipeError('usage', `--test-variant ${name}: ${blubber} has no variant "${name}"`, { hint: `variants: ${Object.keys(spec.variants).join(', ')}` });
    return undefined;
  }
  const [image] = compileAll(ws.bus, spec, [name], {}, images);
  return image ? { key: `${blubber}#${name}`, image, stages: image.stages } : undefined;
}

export async function loadDevPlan(ws: Workspace, stack: LoadedStack, options: { testVariant: string | false | undefined; revision: string }): Promise<DevPlan> {
  const { config, secrets } = stack;
  const builds = (await stack.compile({ withSuite: config.e2e !== undefined })).map((b) => ({ ...b, stages: (b.image as CompiledBuild).stages }));
  const tests = await testBuild(ws, config, options.testVariant);
  const blubberFiles = [...new Set(config.services.flatMap((s) => (s.image.kind === 'build' ? [s.image.blubber] : [])))];
  return {
    config,
    builds,
    secrets: secrets.resolved,
    specFiles: [...new Set([STACK_FILE, PIPELINE_FILE, defaultBlubberFile, ...blubberFiles, '.dockerignore'])],
    ignorePatterns: await dockerignorePatterns(ws.reader),
    tests,
    revision: options.revision,
  };
}
