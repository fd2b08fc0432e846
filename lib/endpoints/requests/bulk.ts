import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import type { QuotaExceededError } from '../../errors';
import { InternalServiceError } from '../../errors';
import { bulkQueryTooLarge } from '../../protocol/bulk-limit';
import type { GoessnerObject } from '../../payload/goessner';
import type { PageRequest } from '../../protocol/paging';
import type { QueryPosition, QueryRequest, QueryResult } from '../../services/types';
import { responseAction, targetOf } from './common';
import { reportedTotal, sendPage } from './query';
import { positionOf } from './walks';

/**
 * Answers a bulk query: walks the handler's pages (`paging.maxPageSize` objects each, each page
 * told where the last ended, as a consumer's walk is) and sends every object in one message, as
 * page 1 of 1. More than `limits.maxBulkQueryObjects` (known from the handler's `totalCount` at
 * once, or by counting) is a 413 that tells the consumer to page; nothing is sent before that is
 * known. A HEAD reads one page for the count: it carries no objects, so it is never too large.
 *
 * @example
 * if (isBulkQuery(req)) return answerBulkQuery(core, req, res, await filters(core, req), headers);
 */
export async function answerBulkQuery(
  core: ProviderCore,
  req: Request,
  res: Response,
  filter: Pick<QueryRequest, 'where' | 'order'>,
  headers: Record<string, string>,
): Promise<void> {
  const { service, ctx, servicePath } = targetOf(req);
  const limit = core.config.limits.maxBulkQueryObjects;
  const pageSize = Math.min(core.config.paging.maxPageSize, limit + 1);
  const run = (query: QueryRequest): Promise<QueryResult> =>
    servicePath ? servicePath.path.handler(ctx, servicePath.parentIds, query) : service.handlers.query!(ctx, query);

  const objects: GoessnerObject[] = [];
  let total: number | undefined;
  let after: QueryPosition | undefined;
  for (let page = 1; ; page++) {
    const asked: QueryRequest = {
      page, pageSize, offset: (page - 1) * pageSize, ...filter,
      ...(after ? { after } : {}), ...(total !== undefined ? { knownTotal: total } : {}),
    };
    const result = await run(asked);
    if (!result || !Array.isArray(result.objects)) throw new InternalServiceError(`The ${service.name} query handler returned no objects array`);
    const got = result.objects.length > pageSize ? result.objects.slice(0, pageSize) : result.objects;
    total ??= reportedTotal(result);
    if (req.method === 'HEAD') {
      headOfBulk(core, req, res, total ?? (got.length < pageSize ? got.length : undefined), got.length > 0, headers);
      return;
    }
    if ((total ?? 0) > limit || objects.length + got.length > limit) throw tooLarge(core, limit, total);
    objects.push(...got);
    if (got.length < pageSize || (total !== undefined && objects.length >= total)) break;
    after = positionOf(got, service.idAttribute, filter.order);
  }
  const whole: QueryRequest = { ...filter, page: 1, pageSize: Math.max(1, objects.length), offset: 0 };
  sendPage(core, req, res, { objects, totalCount: objects.length }, whole, headers);
}

/**
 * A bulk answer whose size is known before anything is read (alerts, changes since): all `total`
 * objects as page 1 of 1, or the 413 a bulk query too large gets.
 *
 * @example
 * const page = isBulkQuery(req) ? wholeAsOnePage(core, total, 'alerts') : parsePaging(…);
 */
export function wholeAsOnePage(core: ProviderCore, total: number, scope: string): PageRequest {
  const limit = core.config.limits.maxBulkQueryObjects;
  if (total > limit) throw tooLarge(core, limit, total, scope);
  return { page: 1, pageSize: Math.max(1, total) };
}

/** The headers a bulk GET would carry (one page holding all `total` objects); 204 when there are none. */
function headOfBulk(core: ProviderCore, req: Request, res: Response, total: number | undefined, any: boolean, extra: Record<string, string>): void {
  const { service, operation } = targetOf(req);
  const paging: Record<string, number> = total === undefined ? {} : { navigationPage: 1, navigationPageSize: total, navigationCount: total, navigationLastPage: 1 };
  const options = { headers: { ...paging, ...extra }, namespace: service.namespace, responseAction: responseAction(req, operation) };
  if (!any) core.responder.empty(req, res, 204, options);
  else core.responder.head(req, res, 200, options);
}

function tooLarge(core: ProviderCore, limit: number, total: number | undefined, scope = 'Bulk query'): QuotaExceededError {
  return bulkQueryTooLarge({ maxBulkQueryObjects: limit, maxPageSize: core.config.paging.maxPageSize }, total, scope);
}
