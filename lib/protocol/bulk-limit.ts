import { QuotaExceededError } from '../errors';

/**
 * The 413 of a bulk query (one that names no paging) matching more than `limits.maxBulkQueryObjects`
 * objects: Base Architecture §5.4.1 gives a bulk query every object or this refusal, which tells the
 * consumer how to page. Shared by immediate bulk answers and asynchronous providers' ones.
 *
 * @example
 * throw bulkQueryTooLarge({ maxBulkQueryObjects: 10_000, maxPageSize: 1000 }, 12_000);
 */
export function bulkQueryTooLarge(
  limits: { maxBulkQueryObjects: number; maxPageSize: number },
  total: number | undefined,
  scope = 'Bulk query',
): QuotaExceededError {
  const limit = limits.maxBulkQueryObjects;
  const matched = total !== undefined ? `matches ${total} objects` : `matches more than ${limit} objects`;
  return new QuotaExceededError(413, 'limits.maxBulkQueryObjects', `This query ${matched}: a query without paging may return at most ${limit}`, {
    scope,
    description: `Page it: send navigationPageSize (at most ${limits.maxPageSize}) and navigationPage 1, 2, … (Base Architecture §5.4.1)`,
  });
}
