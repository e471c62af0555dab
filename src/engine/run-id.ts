/** The id of one run of a suite (`e2e`): `<yyyyMMddTHHmmss>-<4 hex>`, sortable by time. */
import { randomBytes } from 'node:crypto';

export function runId(at: Date = new Date(), options: { lowercase?: boolean } = {}): string {
  const id = `${at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(2).toString('hex')}`;
  return options.lowercase ? id.toLowerCase() : id;
}
