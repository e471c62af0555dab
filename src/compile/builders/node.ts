/**
 * node: COPY requirements, `npm install` / `npm ci` (`--only=production` for env production,
 * then `npm dedupe`, or dedupe-or-warn with allow-dedupe-failure); post-install NODE_ENV, set
 * when `env` is set or there are requirements (so requirements alone give NODE_ENV="").
 */
import type { NodeBuilder } from '../../spec/blubber/index.js';
import type { CompileContext } from '../context.js';
import { requirementCopies } from '../copies.js';
import { env, run, shell, type Instruction } from '../instructions.js';
import type { BuilderSteps } from './types.js';

export function nodeSteps(ctx: CompileContext, node: NodeBuilder): BuilderSteps {
  const requirements = node.requirements ?? [];
  const pre: Instruction[] = [];
  const production = node.env === 'production';
  if (requirements.length > 0) {
    pre.push(...requirementCopies(ctx, requirements));
    const install = node['use-npm-ci'] ? 'npm ci' : 'npm install';
    pre.push(run([production ? shell(install, '--only=production') : install]));
    if (production) {
      pre.push(run([node['allow-dedupe-failure'] ? `npm dedupe || echo ${shell('%s', 'WARNING: npm dedupe failed, continuing anyways')}` : 'npm dedupe']));
    }
  }
  const post: Instruction[] = [];
  if ((node.env !== undefined && node.env !== '') || requirements.length > 0) {
    const instruction = env({ NODE_ENV: node.env ?? '' });
    if (instruction) post.push(instruction);
  }
  return { pre, post };
}
