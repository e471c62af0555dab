/**
 * The generated `.pipeline/devpipe.yaml`: plain data, with a comment on every imported value
 * saying where it came from (file:line in the charts), and a header listing what is not
 * reproduced and what stands in for it. Pure.
 */
import { Document, isMap, isPair, isScalar, isSeq, type Node as YamlNode } from 'yaml';

export interface EmitInput {
  header: string[];
  data: Record<string, unknown>;
  /** Key path (dots, from the document root) → comment. */
  comments: ReadonlyMap<string, string>;
}

function keyNode(doc: Document, path: readonly string[]): YamlNode | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === last);
    return pair && isScalar(pair.key) ? pair.key : undefined;
  }
  if (isSeq(parent)) return parent.items[Number(last)] as YamlNode | undefined;
  return undefined;
}

export function emitStackYaml(input: EmitInput): string {
  const doc = new Document(input.data);
  for (const [dotted, comment] of input.comments) {
    const path = splitPath(dotted);
    const node = doc.getIn(path, true) as YamlNode | undefined;
    if (isScalar(node) && !(typeof node.value === 'string' && node.value.includes('\n'))) node.comment = ` ${comment}`;
    else {
      const key = keyNode(doc, path);
      if (key) key.commentBefore = ` ${comment}`;
    }
  }
  doc.commentBefore = input.header.map((l) => ` ${l}`.replace(/^ $/, '')).join('\n');
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}

/** `services.eventgate-main.env.NODE_ENV` → keys; a segment may hold dots when quoted by `"`. */
export function splitPath(dotted: string): string[] {
  const out: string[] = [];
  for (const m of dotted.matchAll(/"([^"]*)"|([^.]+)/g)) out.push(m[1] ?? m[2] ?? '');
  return out;
}
