/** Blubber v4: load and validate, expand includes, plan build stages. */
export { loadBlubber, sourceOf } from './load.js';
export { expandVariant, includeOrder } from './expand.js';
export { planStages, dependenciesOf, buildersInOrder } from './graph.js';
export { expandCopy, effectiveDestination, normalizedDestination, normalizedSource, isDirPath } from './artifacts.js';
export { packagesByRelease, type ExpandedVariant } from './merge.js';
export { configSchema, LOCAL_CONTEXT, LOCAL_LIB, builderKindOf } from './schema.js';
export type * from './schema.js';

/** The variant Blubber builds when none is named. */
export const DEFAULT_VARIANT = 'test';
