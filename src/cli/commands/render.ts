/** `devpipe render`: not implemented yet. */
import { notImplemented } from '../../errors.js';
import type { Context } from '../context.js';

export async function run(_ctx: Context): Promise<number> {
  throw notImplemented('render', 'issue #3 (Blubber compiler)');
}
