/**
 * The images a project needs from elsewhere (Blubber bases, pinned service images): which exist
 * locally, which the registry could give, and what to do about the rest — asked before anything
 * is built, so a missing image never fails a run half-way. Talks to the ImageStore port only.
 */
import { DevpipeError } from '../errors.js';
import type { ImageStore } from '../ports.js';

export interface ImageNeed {
  image: string;
  /** Variants or services that need it. */
  usedBy: string[];
  /** The image the project names, when a settings alias replaced it by `image`. */
  aliasOf?: string | undefined;
}

export interface ImageAvailability extends ImageNeed {
  status: 'local' | 'pullable' | 'missing';
  /** Why it cannot be pulled (the registry's answer), or `unknown` when the store cannot ask. */
  reason?: string | undefined;
}

/** Merges needs of the same image. */
export function mergeNeeds(needs: readonly ImageNeed[]): ImageNeed[] {
  const out = new Map<string, ImageNeed>();
  for (const need of needs) {
    const seen = out.get(need.image);
    if (seen) seen.usedBy = [...new Set([...seen.usedBy, ...need.usedBy])];
    else out.set(need.image, { ...need, usedBy: [...need.usedBy] });
  }
  return [...out.values()];
}

export async function checkImages(images: ImageStore, needs: readonly ImageNeed[]): Promise<ImageAvailability[]> {
  return Promise.all(
    mergeNeeds(needs).map(async (need): Promise<ImageAvailability> => {
      if (await images.inspect(need.image)) return { ...need, status: 'local' };
      if (!images.pullable) return { ...need, status: 'pullable', reason: 'unknown' };
      const answer = await images.pullable(need.image);
      return answer.ok ? { ...need, status: 'pullable' } : { ...need, status: 'missing', reason: answer.reason };
    }),
  );
}

/** What to do about a missing image: a local stand-in through the settings file, or get it. */
export function missingFix(missing: readonly ImageAvailability[]): string {
  const lines = missing.map((m) => `    ${m.aliasOf ?? m.image}: <a local image, e.g. my-local/${(m.aliasOf ?? m.image).split('/').pop()?.replace(/[:@].*$/, '') ?? 'base'}>`);
  return [
    'map each to an image that exists here in ~/.config/devpipe/settings.yaml (blubber.yaml stays as it is):',
    '  images:',
    ...lines,
    'or make it available: `docker pull` (with registry access) / `docker load -i image.tar`; `devpipe doctor` lists every image the project needs',
  ].join('\n');
}

/** Exit 3 (the environment): named images cannot be had; nothing was built. */
export function missingImagesError(missing: readonly ImageAvailability[]): DevpipeError {
  const what = missing.map((m) => `${m.image}${m.aliasOf ? ` (for ${m.aliasOf})` : ''}, needed by ${m.usedBy.join(', ')}: ${m.reason ?? 'not here'}`);
  return new DevpipeError('environment', `${missing.length === 1 ? 'an image' : `${missing.length} images`} the project needs ${missing.length === 1 ? 'is' : 'are'} not present locally and cannot be pulled; nothing was built`, {
    details: what,
    hint: missingFix(missing),
  });
}

/** Checks the needs and throws the hinted error when any is missing. */
export async function requireImages(images: ImageStore, needs: readonly ImageNeed[]): Promise<ImageAvailability[]> {
  const checked = await checkImages(images, needs);
  const missing = checked.filter((c) => c.status === 'missing');
  if (missing.length > 0) throw missingImagesError(missing);
  return checked;
}
