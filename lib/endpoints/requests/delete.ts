import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, NotFoundError } from '../../errors';
import type { GoessnerObject } from '../../payload/goessner';
import { asArray, isElement, textOf } from '../../payload/goessner';
import { requireInfrastructureRoot } from '../../payload/fields';
import type { ItemOutcome } from '../../payload/responses';
import { deleteResponse } from '../../payload/responses';
import type { RegisteredService } from '../../services/registry';
import type { SifRequestContext } from '../../services/types';
import { assertObjectCount, changeOf, checkedDone, idOnly, requirePayload, runItem, scopeOf, sendInfrastructure, targetOf } from './common';

/** `DELETE {rc}/{plural}/{id}`: 204 when deleted, 404 when there is no such object. */
export async function deleteOne(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const { service, ctx, itemId } = targetOf(req);
  await deleteWith(service, ctx, itemId!);
  await core.changes.fromConnector(changeOf(ctx, 'DELETE', [idOnly(service, itemId!)]), service);
  core.responder.empty(req, res, 204, { responseAction: 'DELETE' });
}

/**
 * `PUT {rc}/{plural}` with `methodOverride: DELETE` and a `deleteRequest`: 200 with a
 * `deleteResponse`; each id is deleted, or fails, on its own.
 */
export async function deleteMany(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const target = targetOf(req);
  const { service, ctx } = target;
  const ids = await readDeleteRequest(req, core);
  const deleted: GoessnerObject[] = [];
  const outcomes: ItemOutcome[] = [];
  for (const id of ids) {
    outcomes.push(
      await runItem(
        core,
        async () => {
          await deleteWith(service, ctx, id);
          deleted.push(idOnly(service, id));
          return { id, statusCode: 200 };
        },
        { id },
      ),
    );
  }
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

async function deleteWith(service: RegisteredService, ctx: SifRequestContext, id: string): Promise<void> {
  if (!checkedDone(service, 'delete', await service.handlers.delete!(ctx, id))) {
    throw new NotFoundError(`No ${service.objectName} with ${service.idAttribute} ${id.slice(0, 80)}`);
  }
}
