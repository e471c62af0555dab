/** `devpipe ci`: not implemented yet. */
import { notImplemented } from '../../errors.js';
import type { Context } from '../context.js';

export async function run(_ctx: Context): Promise<number> {
  throw notImplemented('ci', 'issue #4 (reproduce CI on a laptop)');
}
