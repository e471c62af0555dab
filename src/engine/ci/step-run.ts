/**
 * The `run` and `copy` steps (reference §1.5). `run`: a container `plib-run-<rand8>` from the image
 * ID (`sha256:` prefixed, as PipelineLib does), `arguments` after the image, `env` and
 * `credentials` as variables, output streamed under the stage's name, the last `tail` stdout
 * lines bound as `output`; a non-zero exit fails the stage. The container is kept for `copy` and
 * removed at teardown. `copy`: `docker cp` semantics into the workspace (the pipeline
 * `directory`), so a later stage's build sees the files.
 */
import { posix } from 'node:path';
import { DevpipeError } from '../../errors.js';
import { randomAlphanum, resolveCopy, resolveRun, runContainerName, type Stage, type StageContext } from '../../spec/pipeline/index.js';
import type { StepOutcome } from './record.js';
import { runKey, type PassedRun } from './passed-runs.js';
import { credentialEnv, redact } from './secrets.js';
import { imageRef, now, stageLabels, taskId, type RunState } from './state.js';

const defaultRunTimeoutMs = 20 * 60_000;

/** `tail` → `output`: the last N stdout lines joined with `\n`, trailing newline; `""` for 0. */
export function tailOutput(lines: readonly string[], tail: number): string {
  if (tail <= 0 || lines.length === 0) return '';
  return `${lines.slice(-tail).join('\n')}\n`;
}

/** `passed in run X 2 min ago (3.1s): same image abc123, command and environment` */
export function cachedDetail(hit: PassedRun, image: string, now: number): string {
  const ago = Math.max(0, Math.round((now - Date.parse(hit.passedAt)) / 1000));
  const when = ago < 60 ? `${ago}s ago` : ago < 3600 ? `${Math.round(ago / 60)} min ago` : ago < 86_400 ? `${Math.round(ago / 3600)} h ago` : hit.passedAt.slice(0, 10);
  return `cached: passed in run ${hit.runId} ${when}; same image ${image.replace(/^sha256:/, '').slice(0, 12)}, command and environment (--no-cache runs it again)`;
}

export async function runStep(state: RunState, stage: Stage, ctx: StageContext): Promise<StepOutcome> {
  const run = resolveRun(stage.run!, ctx);
  const credentials = await credentialEnv(state.ports.secrets, stage.name, run.credentials);
  state.secrets.push(...Object.values(credentials));
  const env = { ...run.env, ...credentials };
  // A run step that passed before with exactly these inputs is not run again, unless a template
  // reads its container (a recorded pass has none) or the user asked for --no-cache.
  const cache = state.options.noCache || state.containerReaders.has(stage.name) ? undefined : state.ports.passed;
  const key = cache ? runKey({ kind: 'pipelinelib', image: run.image, command: run.arguments, env, tail: run.tail }) : '';
  const hit = cache ? await cache.get(key) : undefined;
  if (hit) {
    ctx.bind('output', hit.output);
    return { step: 'run', status: 'ok', cached: true, detail: cachedDetail(hit, run.image, now(state)) };
  }
  const started = now(state);
  const name = runContainerName(randomAlphanum(8, state.options.random));
  const id = taskId(state, stage.name);
  const stdout: string[] = [];
  const keep = Math.max(run.tail, 0);
  const timeout = new AbortController();
  const timeoutMs = state.options.runTimeoutMs ?? defaultRunTimeoutMs;
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const onAbort = () => timeout.abort();
  state.options.signal?.addEventListener('abort', onAbort, { once: true });
  state.record.containers.push(name);
  let result;
  try {
    result = await state.ports.containers.run({
      image: imageRef(run.image),
      name,
      command: run.arguments.length > 0 ? run.arguments : undefined,
      env,
      labels: stageLabels(state, stage.name),
      signal: timeout.signal,
      onOutput: (line, stream) => {
        if (stream === 'stdout' && keep > 0) {
          stdout.push(line);
          if (stdout.length > keep) stdout.shift();
        }
        state.bus.emit('task:log', { id, line: redact(line, state.secrets), stream });
      },
    });
  } catch (error) {
    if (timeout.signal.aborted && !state.options.signal?.aborted) {
      throw new DevpipeError('failure', `stage \`${stage.name}\`: run timed out after ${Math.round(timeoutMs / 60_000)} minutes`, { cause: error, hint: 'PipelineLib stops run steps after 20 minutes too' });
    }
    throw error;
  } finally {
    clearTimeout(timer);
    state.options.signal?.removeEventListener('abort', onAbort);
  }
  if (result.exitCode !== 0) {
    const last = result.tail.slice(-10).map((line) => redact(line, state.secrets));
    throw new DevpipeError('failure', `stage \`${stage.name}\`: run exited with code ${result.exitCode}`, { details: last.length > 0 ? ['last lines:', ...last] : [] });
  }
  const output = tailOutput(stdout, run.tail);
  ctx.bind('container', name);
  ctx.bind('output', output);
  if (cache) {
    const entry = { runId: state.runId, stage: stage.name, passedAt: new Date(now(state)).toISOString(), durationMs: now(state) - started, output };
    await cache.put(key, entry, state.secrets);
  }
  const args = run.arguments.length > 0 ? ` ${run.arguments.join(' ')}` : '';
  return { step: 'run', status: 'ok', detail: `${name}${args}: exit 0` };
}

/** PipelineLib's destination sanitizing: relative, every `..` resolved away (`/a/../../b` → `b`). */
export function sanitizeDestination(destination: string): string {
  const normalized = posix.normalize(`/${destination}`).replace(/^\/+/, '');
  return normalized === '' ? '.' : normalized.replace(/\/+$/, '') || '.';
}

/** A source ending in `/` copies the directory's contents (PipelineLib appends `.`). */
export function copySource(source: string): string {
  return source.endsWith('/') ? `${source}.` : source;
}

export async function copyStep(state: RunState, stage: Stage, ctx: StageContext): Promise<StepOutcome> {
  const items = resolveCopy(stage.copy!, ctx);
  const urls: string[] = [];
  const done: string[] = [];
  for (const item of items) {
    const destination = sanitizeDestination(item.destination);
    const workspace = posix.join(state.options.projectDir, state.pipeline.directory);
    const absolute = posix.join(workspace, destination);
    await state.ports.copier.copy(item.from, copySource(item.source), absolute);
    urls.push(item.archive ? `file://${absolute}` : '');
    done.push(`${item.source} → ${posix.join(state.pipeline.directory, destination)}`);
  }
  ctx.bind('artifactURLs', urls.join('\n'));
  const archived = items.some((i) => i.archive) ? '; archive: true keeps the files in the workspace (no Jenkins artifacts locally)' : '';
  return { step: 'copy', status: items.some((i) => i.archive) ? 'local-stand-in' : 'ok', detail: `${done.join(', ')}${archived}` };
}
