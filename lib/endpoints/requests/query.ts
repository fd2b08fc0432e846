import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, InternalServiceError, NotFoundError } from '../../errors';
import { headerOrQuery, queryParam } from '../../http/params';
import { isElement } from '../../payload/goessner';
import { shapeForOutput } from '../../payload/objects';
import { pageOffset, pagingHeaders, parsePaging } from '../../protocol/paging';
import { responseAction, sendObject, targetOf } from './common';

const UNSUPPORTED_QUERY_PARAMETERS = ['where', 'order', 'changesSinceMarker'];

/**
 * `GET {rc}/{plural}`: one page of objects. Paging is always applied (the default page size when the
 * consumer asks for none); 204 with the paging headers when the page is empty.
 */
export async function queryObjects(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const { service, ctx, operation } = targetOf(req);
  if (operation === 'queryByExample') {
    throw new BadRequestError('Query by example is not supported by this provider yet');
  }
  // Answering these with an unfiltered page would be silently wrong: refuse them until supported.
  for (const name of UNSUPPORTED_QUERY_PARAMETERS) {
    if (queryParam(req, name) !== undefined) throw new BadRequestError(`The ${name} query parameter is not supported by this provider yet`);
  }
  const page = parsePaging(headerOrQuery(req, 'navigationPage'), headerOrQuery(req, 'navigationPageSize'), core.config.paging);
  const result = await service.handlers.query!(ctx, { ...page, offset: pageOffset(page) });
  if (!result || !Array.isArray(result.objects)) {
    throw new InternalServiceError(`The ${service.name} query handler returned no objects array`);
  }
  // A handler that returns more than asked for must not turn into an unbounded answer.
  const objects = result.objects.length > page.pageSize ? result.objects.slice(0, page.pageSize) : result.objects;
  const total = typeof result.totalCount === 'number' && result.totalCount >= 0 ? result.totalCount : undefined;
  const headers = pagingHeaders(page, objects.length, total);
  const options = { headers, namespace: service.namespace, responseAction: responseAction(req, operation) };
  if (objects.length === 0) {
    core.responder.empty(req, res, 204, options);
    return;
  }
  const collection = { [service.objectName!]: objects.map((o) => shapeForOutput(o, service.repeatable)) };
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
  sendObject(req, res, core, 200, object);
}
