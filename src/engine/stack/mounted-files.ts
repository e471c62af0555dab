/**
 * Generated files mounted into a service (issue #18): the text from devpipe.yaml, with the values
 * of the secrets it names written at their YAML key paths at deploy time. A file with secrets in
 * it is secret material: it is written under `.devpipe/secrets/` and never into an image. Pure.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import { DevpipeError } from '../../errors.js';
import type { MountedFile } from '../../spec/stack/types.js';

/** `cassandra.authentication.password` → keys; numeric segments index lists. */
export function keyPathOf(dotted: string): (string | number)[] {
  return dotted.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** The file's text with each secret's value written at its key path. */
export function renderMountedFile(service: string, file: MountedFile, values: ReadonlyMap<string, string>): string {
  const entries = Object.entries(file.secrets);
  if (entries.length === 0) return file.content;
  const doc = parseDocument(file.content);
  if (doc.errors.length > 0 || !(isMap(doc.contents) || isSeq(doc.contents))) {
    throw new DevpipeError('spec', `services.${service}.files: ${file.path} has secrets written into it but its content is not a YAML mapping`, {
      hint: 'secrets can be written into YAML (or JSON) files only; for another format mount the secret as a file (`secrets: [name]`)',
    });
  }
  for (const [dotted, secret] of entries) {
    const value = values.get(secret);
    if (value === undefined) throw new DevpipeError('internal', `secret ${secret} has no resolved value`);
    doc.setIn(keyPathOf(dotted), value);
  }
  return doc.toString({ lineWidth: 0 });
}

/** `/etc/kask/config.yaml` → `0-config.yaml`: unique per service, readable. */
export function mountedFileName(index: number, path: string): string {
  const base = path.split('/').filter(Boolean).pop() ?? 'file';
  return `${index}-${base.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}
