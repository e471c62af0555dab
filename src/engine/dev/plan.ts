/**
 * What the dev loop works from, rebuilt whenever a spec file changes: the stack config, the
 * compiled builds (with their instruction lists, for the hot path), the secrets, the spec files
 * to watch, and the unit-test build. The CLI loads it (I/O); the loop only reads it.
 */
import type { Stage } from '../../compile/instructions.js';
import type { StackConfig } from '../../spec/stack/types.js';
import type { ResolvedSecret } from '../stack/secrets.js';
import type { StackBuild } from '../stack/up.js';
import { inputMatcher, type PatternMatcher } from './inputs.js';

export interface DevBuild extends StackBuild {
  /** The compiled stages (the hot path reads them). */
  stages: readonly Stage[];
}

export interface DevPlan {
  config: StackConfig;
  builds: DevBuild[];
  secrets: ResolvedSecret[];
  /** Project-relative spec files: a change reloads the plan. */
  specFiles: string[];
  /** The project's .dockerignore patterns (the build context is the project). */
  ignorePatterns: string[];
  /** The unit tests run after each successful rebuild (a Blubber variant run as a container). */
  tests?: DevBuild | undefined;
  revision: string;
}

/** Build key → is this project path one of its inputs? (tests included under their key.) */
export function inputTargets(plan: DevPlan, matcher: PatternMatcher): Map<string, (relative: string) => boolean> {
  const targets = new Map<string, (relative: string) => boolean>();
  for (const build of [...plan.builds, ...(plan.tests ? [plan.tests] : [])]) {
    targets.set(build.key, inputMatcher({ name: build.key, extraEntries: build.image.extraEntries, ignorePatterns: plan.ignorePatterns, sendProject: build.image.sendProject }, matcher));
  }
  return targets;
}

/** The services that run the image of a build. */
export function servicesOf(plan: DevPlan, key: string): string[] {
  return plan.config.services.filter((s) => s.image.kind === 'build' && `${s.image.blubber}#${s.image.variant}` === key).map((s) => s.name);
}

/** The build key of the e2e suite's image, when it is built here. */
export function suiteKey(plan: DevPlan): string | undefined {
  const image = plan.config.e2e?.image;
  return image?.kind === 'build' ? `${image.blubber}#${image.variant}` : undefined;
}
