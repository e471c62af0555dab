/** The run id of a local ci run. */
import { pipelineTimestamp, randomAlphanum } from '../../spec/pipeline/index.js';

/** `<yyyy-MM-dd-HHmmss>-<pipeline>-<rand4>`: sorts by time, says which pipeline, never collides in practice. */
export function randomRun(startedAt: Date, pipeline: string, random: () => number = Math.random): string {
  return `${pipelineTimestamp(startedAt)}-${pipeline.replace(/[^A-Za-z0-9_.-]+/g, '-')}-${randomAlphanum(4, random)}`;
}
