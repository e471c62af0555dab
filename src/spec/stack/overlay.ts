/**
 * Profiles: overlays on the raw config data. Maps merge key by key, everything else (lists,
 * scalars) is replaced. Applied before validation of the effective config, so a profile value is
 * checked by the same schema as the base one.
 */

export type Raw = Record<string, unknown>;

function isMap(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function deepMerge(base: unknown, overlay: unknown): unknown {
  if (!isMap(base) || !isMap(overlay)) return overlay === undefined ? base : overlay;
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(overlay)) out[key] = key in base ? deepMerge(base[key], value) : value;
  return out;
}

/** Applies a profile (raw `{settings, services, e2e}`) to the raw config; `description` is not config. */
export function applyProfile(config: Raw, profile: Raw | undefined): Raw {
  if (!profile) return config;
  const { description: _description, ...overlay } = profile;
  return deepMerge(config, overlay) as Raw;
}
