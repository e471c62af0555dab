/** devpipe's own config (`.pipeline/devpipe.yaml`) and its profiles. */
export { loadStack, stackName, zeroConfig, upgradeConfig, upgrades, CURRENT_VERSION, type BuiltinProfile, type LoadStackOptions } from './load.js';
export { stackSchema, profileSchema, serviceSchema, e2eSchema, settingsSchema } from './schema.js';
export { durationMs, normalizePort } from './normalize.js';
export { deepMerge, applyProfile } from './overlay.js';
export * from './types.js';
export { aliasPinnedImages } from './aliases.js';
