/** `devpipe status`: not implemented yet. */
import { notImplemented } from '../../errors.js';
import type { Context } from '../context.js';

export async function run(_ctx: Context): Promise<number> {
  throw notImplemented('status', 'issue #5 (local staging copy on Compose)');
}
