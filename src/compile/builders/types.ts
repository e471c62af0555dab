import type { Instruction } from '../instructions.js';

/** What a builder contributes: pre-install steps and post-install steps. */
export interface BuilderSteps {
  pre: Instruction[];
  post: Instruction[];
}
