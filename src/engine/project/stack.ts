/** Loading `.pipeline/devpipe.yaml` (or the zero-config default) with its profiles. */
import path from 'node:path';
import { DevpipeError } from '../../errors.js';
import { nearest, SpecError } from '../../spec/issues.js';
import { loadStack, STACK_FILE, type StackConfig } from '../../spec/stack/index.js';
import { reportWarnings } from './spec-files.js';
import type { Workspace } from './workspace.js';
import { followRepository } from './zero-config.js';

/** Loads `.pipeline/devpipe.yaml` (or the zero-config default) with `--profile` applied. */
export async function loadStackConfig(ws: Workspace, options: { beforeWarnings?: (config: StackConfig) => Promise<void> } = {}): Promise<StackConfig> {
  const absolute = path.join(ws.reader.root, STACK_FILE);
  const text = await ws.reader.read(STACK_FILE);
  const result = loadStack(text, ws.display(absolute), {
    directoryName: path.basename(ws.reader.root),
    profile: ws.profile,
    builtins: await ws.builtinProfiles(),
  });
  if (!result.ok) throw new SpecError(result.errors);
  // The composition root picks the reporter from the config (the `ci` profile's plain output).
  await options.beforeWarnings?.(result.value);
  reportWarnings(ws.bus, result.warnings);
  return followRepository(ws, result.value);
}


/** Every name must be a service of the stack (exit 2 with the nearest name otherwise). */
export function requireServices(config: StackConfig, services: readonly string[]): void {
  const names = config.services.map((s) => s.name);
  for (const service of services) {
    if (!names.includes(service)) {
      const suggestion = nearest(service, names);
      throw new DevpipeError('usage', `"${service}" is not a service of ${config.project}`, { hint: suggestion ? `did you mean "${suggestion}"?` : `services: ${names.join(', ')}` });
    }
  }
}
