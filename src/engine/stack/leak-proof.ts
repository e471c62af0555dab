/**
 * The leak guard's proof without reading: a layer that a `COPY` from the build context made holds
 * exactly bytes of that context (names and contents), so when the streamed context held no secret
 * value (in any encoding the guard knows), that layer holds none either, and the image need not
 * be exported for it. Only devpipe's own context copies count (`COPY … .devpipe-context/local/…`,
 * as BuildKit records them in the history); a RUN, an ADD, a copy from another image or stage is
 * never proven this way. Layers are matched to history steps only when that is unambiguous: a layer
 * comes from a step that added bytes or from a layer-making instruction (RUN, COPY, ADD, WORKDIR;
 * metadata instructions never make one), so when the number of such steps equals the number of
 * layers, each is a layer and they align in order.
 */
import type { HistoryStep, ImageStore } from '../../ports.js';

const LOCAL = '.devpipe-context/local/';

/** `COPY [--chown=…] .devpipe-context/local/<a> [.devpipe-context/local/<b> …] <dest> # buildkit`: every source from the context. */
function isContextCopy(createdBy: string): boolean {
  const match = /^COPY (.*) # buildkit$/.exec(createdBy.trim());
  if (!match) return false;
  const words = match[1]!.split(/\s+/).filter((w) => !/^--(chown|chmod)=\S+$/.test(w) && w !== '--link');
  const sources = words.slice(0, -1);
  return sources.length > 0 && sources.every((s) => s.startsWith(LOCAL) && !s.split('/').includes('..'));
}

/** The diff IDs of the image's layers that a copy from the build context made (none when unsure). */
/** A step that can have made a layer: it added bytes, or its instruction makes one (BuildKit or classic builder). */
function mayMakeLayer(step: HistoryStep): boolean {
  const by = step.createdBy.trim();
  if ((step.size ?? 0) > 0) return true;
  if (/^(RUN|COPY|ADD|WORKDIR)\b/.test(by)) return true;
  if (/^\/bin\/sh -c #\(nop\)\s*(ADD|COPY|WORKDIR)\b/.test(by)) return true;
  return /^\/bin\/sh -c /.test(by) && !/#\(nop\)/.test(by);
}

export function contextCopyLayers(layers: readonly string[], history: readonly HistoryStep[]): string[] {
  if (history.some((step) => step.size === undefined)) return [];
  const added = history.filter(mayMakeLayer);
  if (added.length !== layers.length) return [];
  return added.flatMap((step, index) => (isContextCopy(step.createdBy) ? [layers[index]!] : []));
}

/** Marks the image's context-copy layers clean (its context was scanned clean for these values). */
export async function proveContextLayers(images: Pick<ImageStore, 'inspect' | 'history'>, ref: string, markClean: (diffId: string) => void): Promise<number> {
  if (!images.history) return 0;
  const [info, history] = await Promise.all([images.inspect(ref), images.history(ref)]);
  if (!info?.layers) return 0;
  const proven = contextCopyLayers(info.layers, history);
  for (const diffId of proven) markClean(diffId);
  return proven.length;
}
