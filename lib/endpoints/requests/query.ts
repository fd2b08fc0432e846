import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, InternalServiceError, NotFoundError } from '../../errors';
import { headerOrQuery, queryParam } from '../../http/params';
import { isBulkQuery, queryIntentionOf } from '../../http/request-headers';
import { isElement } from '../../payload/goessner';
import { normalizeObject, shapeForOutput } from '../../payload/objects';
import { pageOffset, pagingHeaders, parsePaging } from '../../protocol/paging';
import type { WhereNode } from '../../query';
import { countConditions, exampleToWhere, parseOrder, parseWhere, tooManyConditions } from '../../query';
import type { QueryRequest, QueryResult } from '../../services/types';
import { formatMarker } from '../../protocol/changes-marker';
import { answerBulkQuery } from './bulk';
import { changesSince } from './changes-since';
import { requireObjectPayload, responseAction, sendObject, targetOf } from './common';
import { checkOutput } from '../../models/hooks';
import { fromSnapshot } from './snapshots';
import { positionOf, walkKey } from './walks';

/**
 * `GET {rc}/{plural}` and service paths: one page of objects, filtered by `where` or query by
 * example and sorted by `order` when the service declares support (400 otherwise); 204 with the
 * paging headers when the page is empty. A query that names no page is a bulk query: every object
 * or a 413 (bulk.ts). With `changesSinceMarker`, the changes since that marker instead (bulk or paged alike).
 */
export async function queryObjects(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const target = targetOf(req);
  const { service, ctx, operation, servicePath } = target;
  const page = parsePaging(headerOrQuery(req, 'navigationPage'), headerOrQuery(req, 'navigationPageSize'), core.config.paging);
  const marker = queryParam(req, 'changesSinceMarker');
  if (marker !== undefined) {
    if (servicePath || operation === 'queryByExample') throw new BadRequestError('Changes since is only offered on object services');
    await changesSince(core, req, res, marker, page);
    return;
  }
  const filter = await filters(core, req);
  const query: QueryRequest = { ...page, offset: pageOffset(page), ...filter };
  // HEAD is how a consumer learns the current marker (Base Architecture §5.10.1); GET pages do not
  // pay for it. It is taken before the query runs, so that nothing changed during it can be missed.
  const headers: Record<string, string> = {};
  if (req.method === 'HEAD' && service.changeTracking && !servicePath) {
    const state = await core.config.store.changeLogState();
    headers.changesSinceMarker = formatMarker(state, state.latest);
  }
  // No paging named: every object in one answer, or a 413 (Base Architecture §5.4.1 "Bulk").
  if (isBulkQuery(req)) {
    queryIntentionOf(req); // checked, though one answer needs no snapshot to be consistent
    await answerBulkQuery(core, req, res, filter, headers);
    return;
  }
  const snapshot = await fromSnapshot(core, req, query);
  if (snapshot) {
    sendPage(core, req, res, snapshot.result, query, { ...headers, navigationId: snapshot.navigationId });
    return;
  }
  // A page that continues a walk is told where the previous one ended, so the handler may seek.
  const walk = walkKey({
    environmentId: ctx.environmentId,
    serviceName: service.name,
    ...(servicePath ? { servicePath: { name: servicePath.path.name, parentIds: servicePath.parentIds } } : {}),
    zoneId: ctx.zoneId,
    contextId: ctx.contextId,
    where: query.where,
    order: query.order,
    pageSize: query.pageSize,
    navigationId: headerOrQuery(req, 'navigationId'),
  });
  const continuation = core.walks.continuing(walk, query.page, core.config.clock().getTime());
  const asked: QueryRequest = { ...query, ...continuation };
  const result = servicePath
    ? await servicePath.path.handler(ctx, servicePath.parentIds, asked)
    : await service.handlers.query!(ctx, asked);
  // A handler may count once per walk: later pages keep navigationCount with the known total.
  const known = continuation.knownTotal;
  sendPage(core, req, res, result && known !== undefined && reportedTotal(result) === undefined ? { ...result, totalCount: known } : result, query, headers);
  // Recorded once the page is sent (sendPage has checked the result): where it ended, as the consumer saw it.
  const total = reportedTotal(result) ?? continuation.knownTotal;
  const position = positionOf(result.objects.slice(0, query.pageSize), service.idAttribute, query.order);
  core.walks.record(walk, query.page, position, total, core.config.clock().getTime());
}

/**
 * The total a handler reported, when it is a usable one.
 *
 * @example
 * reportedTotal({ objects, totalCount: 250 }); // 250
 */
export function reportedTotal(result: QueryResult): number | undefined {
  return typeof result.totalCount === 'number' && result.totalCount >= 0 ? result.totalCount : undefined;
}

/** The `where` (and/or query by example) and `order` of a query, refused when the service cannot apply them. */
export async function filters(core: ProviderCore, req: Request): Promise<Pick<QueryRequest, 'where' | 'order'>> {
  const { service, operation } = targetOf(req);
  const whereText = queryParam(req, 'where');
  const orderText = queryParam(req, 'order');
  const maxConditions = core.config.limits.maxWhereConditions;
  const conditions: WhereNode[] = [];
  if (whereText !== undefined) {
    if (!service.supports.where) throw new BadRequestError(`${service.name} does not support where clauses`);
    conditions.push(parseWhere(whereText, { maxConditions }));
  }
  if (operation === 'queryByExample') {
    if (!service.supports.queryByExample) throw new BadRequestError(`${service.name} does not support query by example`);
    // An example is matched with wildcards, so only its namespace is checked, never its values.
    const example = await requireObjectPayload(req, core, service, service.objectName!);
    conditions.push(exampleToWhere(normalizeObject(example.value, service.repeatable, service.objectName), { maxConditions }));
  }
  // Both together are one filter for the handler, so they share the one limit.
  if (conditions.length > 1 && conditions.reduce((n, c) => n + countConditions(c), 0) > maxConditions) {
    throw tooManyConditions('The where clause and the query by example together', maxConditions);
  }
  if (orderText !== undefined && !service.supports.order) throw new BadRequestError(`${service.name} does not support order clauses`);
  return {
    ...(conditions.length === 1 ? { where: conditions[0]! } : conditions.length > 1 ? { where: { kind: 'and', children: conditions } } : {}),
    ...(orderText !== undefined ? { order: parseOrder(orderText) } : {}),
  };
}

/** Sends one page of a query's result with its paging headers; 204 when it is empty. */
export function sendPage(core: ProviderCore, req: Request, res: Response, result: QueryResult, page: QueryRequest, extraHeaders: Record<string, string | number> = {}): void {
  const { service, operation } = targetOf(req);
  if (!result || !Array.isArray(result.objects)) {
    throw new InternalServiceError(`The ${service.name} query handler returned no objects array`);
  }
  // A handler that returns more than asked for must not turn into an unbounded answer.
  const objects = result.objects.length > page.pageSize ? result.objects.slice(0, page.pageSize) : result.objects;
  const total = typeof result.totalCount === 'number' && result.totalCount >= 0 ? result.totalCount : undefined;
  const headers = { ...pagingHeaders(page, objects.length, total), ...extraHeaders };
  const options = { headers, namespace: service.namespace, responseAction: responseAction(req, operation) };
  if (objects.length === 0) {
    core.responder.empty(req, res, 204, options);
    return;
  }
  if (req.method === 'HEAD') {
    core.responder.head(req, res, 200, options);
    return;
  }
  const collection = {
    [service.objectName!]: objects.map((o) => {
      const shaped = shapeForOutput(o, service.repeatable, service.objectName!);
      checkOutput(service, shaped, core.config.logger);
      return shaped;
    }),
  };
  core.responder.payload(req, res, 200, service.name, collection, options);
}

/** `GET {rc}/{plural}/{id}`: one object, or 404. */
export async function readObject(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const { service, ctx, itemId } = targetOf(req);
  const object = await service.handlers.read!(ctx, itemId!);
  if (object === null || object === undefined) {
    throw new NotFoundError(`No ${service.objectName} with ${service.idAttribute} ${itemId!.slice(0, 80)}`, { scope: `Read ${service.objectName}` });
  }
  if (!isElement(object)) throw new InternalServiceError(`The ${service.name} read handler returned something other than an object`);
  const shaped = shapeForOutput(object, service.repeatable, service.objectName!);
  checkOutput(service, shaped, core.config.logger);
  sendObject(req, res, core, 200, shaped);
}
