/** `devpipe dev`: not implemented yet. */
import { notImplemented } from '../../errors.js';
import type { Context } from '../context.js';

export async function run(_ctx: Context): Promise<number> {
  throw notImplemented('dev', 'issue #6 (watch mode)');
}
