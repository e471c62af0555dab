/**
 * Building a Blubber variant for a GitLab job with devpipe's own compiler and content-addressed
 * builder (the same path as `devpipe build` and PipelineLib's build step): the job's Blubber file
 * read through the RepoFiles port, `--opt build-arg:K=V` as build arguments, the checkout (or
 * a directory inside it) as the context, `.devpipe/` never sent.
 */
import { posix } from 'node:path';
import { compileVariant } from '../../compile/index.js';
import { DevpipeError } from '../../errors.js';
import { loadBlubber } from '../../spec/blubber/index.js';
import { SpecError } from '../../spec/issues.js';
import { buildImages, type BuiltImage } from '../build.js';
import { dockerignorePatterns } from '../ci/step-build.js';
import { EventBus } from '../events.js';
import { jobLabels, taskOf, type GitlabState } from './state.js';

export interface VariantBuild {
  job: string;
  blubberFile: string;
  variant: string;
  contextDir: string;
  buildArgs: Record<string, string>;
}

/** Build output under the job's task; image events pass through. */
function jobBus(state: GitlabState, job: string): EventBus {
  const bus = new EventBus();
  bus.subscribe((event) => {
    if (event.type === 'task:log') state.bus.emit('task:log', { id: taskOf(job), line: event.line, stream: event.stream });
    else if (event.type === 'image:built' || event.type === 'message') {
      const { type: _type, time: _time, ...payload } = event;
      state.bus.emit(event.type, payload as never);
    }
  });
  return bus;
}

export async function buildVariant(state: GitlabState, build: VariantBuild): Promise<BuiltImage> {
  const text = await state.ports.files.read(build.blubberFile);
  if (text === undefined) throw new DevpipeError('spec', `job \`${build.job}\`: no Blubber config at ${build.blubberFile}`, { hint: 'Kokkuri reads .pipeline/blubber.yaml; point --var DEVPIPE_BLUBBER_CONFIG=... at another file' });
  const loaded = loadBlubber(text, build.blubberFile);
  if (!loaded.ok) throw new SpecError(loaded.errors);
  const buildArgs = Object.fromEntries(Object.entries(build.buildArgs).filter(([k]) => !k.startsWith('BUILDKIT_')));
  const compiled = compileVariant(loaded.value, build.variant, { buildArgs });
  if (!compiled.ok) throw new SpecError(compiled.errors);
  const ignore = [...dockerignorePatterns(await state.ports.files.read(posix.join(build.contextDir, '.dockerignore'))), '.devpipe'];
  const [built] = await buildImages(state.ports, jobBus(state, build.job), [compiled.value], {
    project: state.options.project,
    contextDir: posix.join(state.options.projectDir, build.contextDir),
    revision: state.options.revision,
    ignorePatterns: ignore,
    noCache: state.options.noCache ?? false,
    pull: state.options.pull ?? false,
    labels: jobLabels(state, build.job),
    signal: state.options.signal,
    // The moving `<project>:<variant>` tag belongs to `devpipe build`: ci never moves it.
    movingTag: false,
  });
  if (!built) throw new DevpipeError('internal', `job \`${build.job}\`: the build returned no image`);
  const id = built.imageId.replace(/^sha256:/, '');
  if (!built.cached && !state.record.ownedImages.includes(id)) state.record.ownedImages.push(id);
  return built;
}
