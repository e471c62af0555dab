/**
 * `secrets check`: the leak guard on demand over named images (default: every image devpipe built
 * for the project, found by label): all layers' files, config env, labels, history, for the value
 * of every declared secret. A failure names secret, layer and path.
 */
import { DevpipeError } from '../../errors.js';
import type { ImageScanner, ImageStore, LeakFinding } from '../../ports.js';
import type { EventBus } from '../events.js';
import { LABEL_PROJECT } from '../labels.js';
import { leakError } from './leak-scan.js';
import type { ResolvedSecret } from './secrets.js';

export async function checkImagesForSecrets(
  ports: { images: ImageStore; scanner: ImageScanner },
  bus: EventBus,
  project: string,
  asked: readonly string[],
  secrets: readonly ResolvedSecret[],
): Promise<{ clean: string[]; searched: number; none: boolean; failure?: DevpipeError | undefined }> {
  let refs = [...asked];
  if (refs.length === 0) refs = (await ports.images.list({ [LABEL_PROJECT]: project })).map((i) => i.tags[0] ?? i.id);
  if (refs.length === 0) return { clean: [], searched: secrets.length, none: true };
  for (const ref of refs) {
    if (!(await ports.images.inspect(ref))) throw new DevpipeError('usage', `image ${ref} does not exist locally`, { hint: 'check the name with `docker images`' });
  }
  const needles = secrets.map((s) => ({ name: s.name, value: s.value }));
  const bad: { ref: string; findings: LeakFinding[] }[] = [];
  const clean: string[] = [];
  for (const ref of refs) {
    const findings = await ports.scanner.scan(ref, needles);
    bus.emit('result', { command: 'secrets check', data: { image: ref, findings } });
    if (findings.length > 0) bad.push({ ref, findings });
    else clean.push(ref);
  }
  let failure: DevpipeError | undefined;
  if (bad.length > 0) {
    const first = bad[0]!;
    const error = leakError(first.ref, first.findings);
    failure = new DevpipeError('failure', bad.length > 1 ? `${bad.length} images contain secret values: ${bad.map((b) => b.ref).join(', ')}` : error.message, {
      details: bad.flatMap((b) => leakError(b.ref, b.findings).details.map((d) => `${b.ref}: ${d}`)),
      hint: error.hint,
    });
  }
  return { clean, searched: needles.length, none: false, failure };
}
