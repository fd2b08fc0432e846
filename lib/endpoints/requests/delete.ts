import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError } from '../../errors';
import { asArray, isElement, textOf } from '../../payload/goessner';
import { requireInfrastructureRoot } from '../../payload/fields';
import { deleteResponse } from '../../payload/responses';
import { outcomeOf, settleItems } from './batch';
import { assertFound, assertObjectCount, changeOf, idOnly, requirePayload, scopeOf, sendInfrastructure, targetOf } from './common';

/** `DELETE {rc}/{plural}/{id}`: 204 when deleted, 404 when there is no such object. */
export async function deleteOne(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const { service, ctx, itemId } = targetOf(req);
  assertFound(service, 'delete', await service.handlers.delete!(ctx, itemId!), itemId!);
  await core.changes.fromConnector(changeOf(ctx, 'DELETE', [idOnly(service, itemId!)]), service);
  core.responder.empty(req, res, 204, { responseAction: 'DELETE' });
}

/**
 * `PUT {rc}/{plural}` with `methodOverride: DELETE` and a `deleteRequest`: 200 with a
 * `deleteResponse`; each id is deleted, or fails, on its own: all in one call to the `deleteMany`
 * handler when there is one, else one by one with `delete`.
 */
export async function deleteMany(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const target = targetOf(req);
  const { service, ctx } = target;
  const ids = await readDeleteRequest(req, core);
  const { deleteMany: many, delete: remove } = service.handlers;
  const settled = await settleItems(core, service, ids, {
    batchName: 'deleteMany',
    many: many && ((batch) => many(ctx, batch)),
    one: (id) => remove!(ctx, id),
    check: (returned, id) => (assertFound(service, many ? 'deleteMany' : 'delete', returned, id), idOnly(service, id)),
  });
  const outcomes = settled.map((s, i) => outcomeOf(core, s, { id: ids[i] }, () => ({ id: ids[i], statusCode: 200 })));
  const deleted = settled.flatMap((s) => (s.ok ? [s.value] : []));
  await core.changes.fromConnector(changeOf(ctx, 'DELETE', deleted), service);
  sendInfrastructure(req, res, core, 'deleteResponse', deleteResponse(outcomes, scopeOf(target)));
}

/**
 * The ids of a `deleteRequest`: `<deleteRequest><deletes><delete id="…"/>…</deletes></deleteRequest>`;
 * more than `limits.maxObjectsPerRequest` is a 413 before any handler runs.
 */
export async function readDeleteRequest(req: Request, core: ProviderCore): Promise<string[]> {
  const payload = await requirePayload(req, core, 'deleteRequest');
  requireInfrastructureRoot(payload, 'deleteRequest');
  const deletes = payload.value.deletes;
  const items = isElement(deletes) ? asArray(deletes.delete) : [];
  if (items.length === 0) throw new BadRequestError('The deleteRequest names no objects to delete');
  assertObjectCount(items.length, core);
  return items.map((item, i) => {
    const id = isElement(item) ? textOf(item['@id'])?.trim() : undefined;
    if (!id) throw new BadRequestError(`delete number ${i + 1} of the deleteRequest has no id`);
    return id;
  });
}
