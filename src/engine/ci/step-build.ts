/**
 * The `build` step (reference §1.5): the stage's Blubber config (its own `blubberfile` or the
 * pipeline's, relative to `.pipeline/`), the variant compiled and built through the content-
 * addressed builder with `context` relative to the pipeline `directory` and `excludes` used
 * instead of `.dockerignore` (the file on disk is never touched). Binds `imageID` (hex, no
 * `sha256:`) and `imageLocalName` (`localhost/plib-image-<rand8>`, usable as a later `base:`).
 */
import { posix } from 'node:path';
import { stringify } from 'yaml';
import { compileVariant } from '../../compile/index.js';
import { DevpipeError } from '../../errors.js';
import { loadBlubber } from '../../spec/blubber/index.js';
import { SpecError } from '../../spec/issues.js';
import { blubberRepoPath, localImageName, randomAlphanum, resolveBlubberfile, resolveBuild, type Stage, type StageContext } from '../../spec/pipeline/index.js';
import { buildImages } from '../build.js';
import { EventBus } from '../events.js';
import { stageLabels, taskId, type RunState } from './state.js';
import type { StepOutcome } from './record.js';

/** A URL build context (`https://…`, `git://…`). */
export function isUrlContext(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context);
}

/** The lines of a `.dockerignore` that are patterns (comments and blank lines dropped). */
export function dockerignorePatterns(text: string | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * What the build ignores: `excludes` when given (PipelineLib writes them over `.dockerignore`),
 * else the context's `.dockerignore`; plus devpipe's own `.devpipe/` (run records), which must
 * never reach an image nor change the content hash.
 */
export async function ignorePatterns(state: RunState, context: string, excludes: readonly string[] | undefined): Promise<string[]> {
  const base = excludes ?? dockerignorePatterns(await state.ports.files.read(posix.join(state.pipeline.directory, context, '.dockerignore')));
  return [...base, '.devpipe'];
}

/** The build context directory: `context` relative to the pipeline `directory`, inside the project. */
export function contextPath(projectDir: string, directory: string, context: string): string {
  return posix.join(projectDir, directory, context);
}

async function blubberConfig(state: RunState, stage: Stage, ctx: StageContext) {
  const ref = resolveBlubberfile(state.pipeline, stage, ctx);
  let text: string;
  let display: string;
  if ('file' in ref) {
    const repoPath = blubberRepoPath(ref.file);
    const read = await state.ports.files.read(repoPath);
    if (read === undefined) {
      throw new DevpipeError('spec', `stage \`${stage.name}\`: no Blubber config at ${repoPath}`, { hint: 'blubberfile paths are relative to the .pipeline/ directory at the repository root' });
    }
    text = read;
    display = repoPath;
  } else {
    text = stringify(ref.inline);
    display = `${state.config.file} (inline blubberfile of stage ${stage.name})`;
  }
  const loaded = loadBlubber(text, display);
  if (!loaded.ok) throw new SpecError(loaded.errors);
  return loaded.value;
}

/** Forwards a build's log lines and image events under the stage's task; the stage task is the progress. */
function stageBus(state: RunState, stage: string): EventBus {
  const bus = new EventBus();
  const id = taskId(state, stage);
  bus.subscribe((event) => {
    if (event.type === 'task:log') state.bus.emit('task:log', { id, line: event.line, stream: event.stream });
    else if (event.type === 'image:built' || event.type === 'message') {
      const { type: _type, time: _time, ...payload } = event;
      state.bus.emit(event.type, payload as never);
    }
  });
  return bus;
}

export async function buildStep(state: RunState, stage: Stage, ctx: StageContext): Promise<StepOutcome> {
  const build = resolveBuild(stage.build!, ctx);
  if (isUrlContext(build.context)) {
    throw new DevpipeError('failure', `stage \`${stage.name}\`: build context ${build.context} is a URL; devpipe ci builds from local directories only`, {
      hint: 'clone the context into the workspace and point `build.context` at it',
    });
  }
  const config = await blubberConfig(state, stage, ctx);
  const compiled = compileVariant(config, build.variant, { localContext: 'views', images: state.options.images });
  if (!compiled.ok) throw new SpecError(compiled.errors);
  const pull = state.options.pull === true && build.imagePullPolicy === 'always';
  const [built] = await buildImages(state.ports, stageBus(state, stage.name), [compiled.value], {
    project: state.options.project,
    contextDir: contextPath(state.options.projectDir, state.pipeline.directory, build.context),
    revision: state.options.revision,
    ignorePatterns: await ignorePatterns(state, build.context, build.excludes),
    noCache: state.options.noCache ?? false,
    pull,
    labels: stageLabels(state, stage.name),
    // The moving `<project>:<variant>` tag belongs to `devpipe build`: ci never moves it.
    movingTag: false,
    signal: state.options.signal,
  });
  if (!built) throw new DevpipeError('internal', `stage \`${stage.name}\`: the build returned no image`);
  const imageID = built.imageId.replace(/^sha256:/, '');
  const localName = localImageName(randomAlphanum(8, state.options.random));
  await state.ports.images.tag(built.imageId, localName);
  state.record.localTags.push(`${localName}:latest`);
  if (!built.cached && !state.record.ownedImages.includes(imageID)) state.record.ownedImages.push(imageID);
  ctx.bind('imageID', imageID);
  ctx.bind('imageLocalName', localName);
  const how = built.cached ? 'inputs unchanged, reused' : 'built';
  return { step: 'build', status: 'ok', detail: `variant ${build.variant}: ${imageID.slice(0, 12)} (${how}) ${built.contentTag}${pull ? ' (pulled base images)' : ''}` };
}
