/**
 * The stack a command manages: the one `up` recorded here (what runs, whatever devpipe.yaml says
 * now), else devpipe.yaml's, else the directory name. `down` never depends on the current config
 * loading or being deployable.
 */
import path from 'node:path';
import { DevpipeError } from '../../errors.js';
import type { ProjectFiles } from '../../ports.js';
import { stackName } from '../../spec/stack/index.js';
import { recordedProject } from '../stack/files.js';
import { loadStackConfig } from './stack.js';
import type { Workspace } from './workspace.js';

export async function projectName(ws: Workspace): Promise<string> {
  try {
    return (await loadStackConfig(ws)).project;
  } catch (error) {
    if (!(error instanceof DevpipeError) || error.kind !== 'spec') throw error;
    const fallback = stackName(path.basename(ws.reader.root));
    ws.bus.emit('message', { level: 'warn', text: `${error.message}; using the stack name "${fallback}"` });
    return fallback;
  }
}

export async function stackToManage(ws: Workspace, files: ProjectFiles): Promise<{ project: string; recorded: boolean }> {
  const recorded = await recordedProject(files);
  if (recorded) return { project: recorded, recorded: true };
  return { project: await projectName(ws), recorded: false };
}
