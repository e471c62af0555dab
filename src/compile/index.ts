/** Blubber variant → typed instructions → Dockerfile text (pure). */
export { compileVariant, compileVariantOrThrow, type CompiledBuild, type CompileOptions } from './compile.js';
export { renderDockerfile, renderInstruction } from './render.js';
export { GENERATED_DIR } from './context.js';
export type { Instruction, PhasedInstruction, Phase, RunMount, Stage } from './instructions.js';
