/** php: COPY requirements, `composer install --no-scripts [--no-dev]` (only with requirements). */
import type { PhpBuilder } from '../../spec/blubber/index.js';
import type { CompileContext } from '../context.js';
import { requirementCopies } from '../copies.js';
import { run, shell, type Instruction } from '../instructions.js';
import type { BuilderSteps } from './types.js';

export function phpSteps(ctx: CompileContext, php: PhpBuilder): BuilderSteps {
  const requirements = php.requirements ?? [];
  const pre: Instruction[] = [];
  if (requirements.length > 0) {
    pre.push(...requirementCopies(ctx, requirements));
    const flags = ['--no-scripts', ...(php.production ? ['--no-dev'] : [])];
    pre.push(run([shell('composer install', ...flags)]));
  }
  return { pre, post: [] };
}
