/**
 * The `publish` step (reference §1.5) with the local image store standing in for the registry:
 * the image is tagged `<name>:<tag>` for every tag, the name sanitized and held to PipelineLib's
 * project-prefix rule; it is pushed only when the user configured a registry. Binds what CI binds
 * (`imageName`, `imageFullName`, `imageTag`, `imageTags`, `publishedImage`), so later stages see
 * the same values they would in CI.
 */
import { DevpipeError } from '../../errors.js';
import { publishBindings, publishedNameError, registry, resolvePublish, type Stage, type StageContext } from '../../spec/pipeline/index.js';
import type { StepOutcome } from './record.js';
import { imageRef, type RunState } from './state.js';

function setupValue(state: RunState, key: string): string {
  const found = state.bindings.lookup('setup', key);
  return found.found && typeof found.value === 'string' ? found.value : '';
}

/** `<registry>/<name>:<tag>` for a user-configured registry (`host[:port][/path]`). */
export function pushRef(target: string, name: string, tag: string): string {
  return `${target.replace(/\/+$/, '')}/${name}:${tag}`;
}

export async function publishStep(state: RunState, stage: Stage, ctx: StageContext): Promise<{ outcome: StepOutcome; refs: string[] }> {
  const image = resolvePublish(stage.publish!, ctx);
  const nameError = publishedNameError(image.name, setupValue(state, 'project'), setupValue(state, 'projectShortName'));
  if (nameError) throw new DevpipeError('failure', `stage \`${stage.name}\`: ${nameError}`, { hint: 'set `publish.image.name` to the project name, or to `<project>-<suffix>`' });
  if (image.id === '') throw new DevpipeError('failure', `stage \`${stage.name}\`: publish.image.id is empty`, { hint: 'publish needs an image built by this stage or an ancestor: `id: ${<stage>.imageID}`' });
  const values = publishBindings(image);
  const source = imageRef(image.id);
  if (!(await state.ports.images.inspect(source))) {
    throw new DevpipeError('failure', `stage \`${stage.name}\`: image ${image.id.slice(0, 12)} to publish does not exist`, { hint: 'publish.image.id must be an image built in this run' });
  }
  const refs: string[] = [];
  for (const tag of values.imageTags) {
    const ref = `${values.imageName}:${tag}`;
    await state.ports.images.tag(source, ref);
    refs.push(ref);
  }
  const id = image.id.replace(/^sha256:/, '');
  if (!state.record.publishedImages.includes(id)) state.record.publishedImages.push(id);
  const pushed: string[] = [];
  if (state.options.registry && state.ports.pusher) {
    for (const tag of values.imageTags) {
      const ref = pushRef(state.options.registry, values.imageName, tag);
      await state.ports.images.tag(source, ref);
      await state.ports.pusher.push(ref, state.options.signal);
      pushed.push(ref);
    }
  }
  for (const [key, value] of Object.entries(values)) ctx.bind(key, value);
  const detail = pushed.length > 0
    ? `tagged ${refs.join(', ')}; pushed ${pushed.join(', ')}`
    : `tagged ${refs.join(', ')} in the local image store, which stands in for the registry (CI would push ${registry.push}/${registry.repository}/${values.imageName}); nothing pushed`;
  return { outcome: { step: 'publish', status: pushed.length > 0 ? 'ok' : 'local-stand-in', detail }, refs: [...refs, ...pushed] };
}
