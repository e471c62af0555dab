/**
 * The user's base image aliases (settings `images:`) applied to a stack's pinned images: a
 * service or e2e suite pinned to `docker-registry.wikimedia.org/…:tag` (or `@sha256:…`) runs the
 * local stand-in, exactly as a Blubber `base:` of the same name is built from it. Pure.
 */
import { aliasFor } from '../settings/index.js';
import type { ImageSource, StackConfig } from './types.js';

function aliased(source: ImageSource, aliases: Readonly<Record<string, string>>): ImageSource {
  if (source.kind !== 'pinned') return source;
  const alias = aliasFor(source.ref, aliases);
  return alias === undefined || alias === source.ref ? source : { kind: 'pinned', ref: alias, aliasOf: source.ref };
}

/** The config with every pinned image replaced by its alias (the original kept as `aliasOf`). */
export function aliasPinnedImages(config: StackConfig, aliases: Readonly<Record<string, string>>): StackConfig {
  if (Object.keys(aliases).length === 0) return config;
  return {
    ...config,
    services: config.services.map((service) => ({ ...service, image: aliased(service.image, aliases) })),
    e2e: config.e2e ? { ...config.e2e, image: aliased(config.e2e.image, aliases) } : config.e2e,
  };
}
