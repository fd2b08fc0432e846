import { BadRequestError, PayloadTooLargeError } from '../errors';

/** A page asked for: 1-based page number and page size. */
export interface PageRequest {
  page: number;
  pageSize: number;
}

/** Page size limits. */
export interface PagingLimits {
  defaultPageSize: number;
  maxPageSize: number;
}

/**
 * Reads `navigationPage` and `navigationPageSize`. Absent page → 1; absent size → the default (never
 * an unbounded answer); a non-numeric or non-positive value → 400; a size over the maximum → 413.
 *
 * @example
 * parsePaging('2', '50', { defaultPageSize: 100, maxPageSize: 1000 }); // { page: 2, pageSize: 50 }
 */
export function parsePaging(page: string | undefined, pageSize: string | undefined, limits: PagingLimits): PageRequest {
  const p = page === undefined ? 1 : positiveInteger(page, 'navigationPage');
  const size = pageSize === undefined ? limits.defaultPageSize : positiveInteger(pageSize, 'navigationPageSize');
  if (size > limits.maxPageSize) {
    throw new PayloadTooLargeError(`navigationPageSize ${size} is above the maximum of ${limits.maxPageSize}`);
  }
  return { page: p, pageSize: size };
}

function positiveInteger(text: string, name: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,9}$/.test(trimmed) || Number(trimmed) < 1) {
    throw new BadRequestError(`${name} must be a whole number of at least 1`, { description: `got "${text.slice(0, 20)}"` });
  }
  return Number(trimmed);
}

/** The offset of a page's first object. */
export function pageOffset(request: PageRequest): number {
  return (request.page - 1) * request.pageSize;
}

/**
 * Paging response headers. `navigationPageSize` is the number of objects on the returned page, as
 * Base Architecture §4.3.2 defines it; `navigationLastPage` is ceil(count / requested size).
 */
export function pagingHeaders(request: PageRequest, onPage: number, totalCount: number | undefined): Record<string, number> {
  const headers: Record<string, number> = { navigationPage: request.page, navigationPageSize: onPage };
  if (totalCount !== undefined) {
    headers.navigationCount = totalCount;
    headers.navigationLastPage = Math.max(1, Math.ceil(totalCount / request.pageSize));
  }
  return headers;
}
