import type { Request, Response } from 'express';
import { idOf } from '../../changes';
import type { ProviderCore } from '../../core';
import { BadRequestError } from '../../errors';
import type { GoessnerObject } from '../../payload/goessner';
import { assertValidInput } from '../../models/hooks';
import { updateResponse } from '../../payload/responses';
import type { RegisteredService } from '../../services/registry';
import { outcomeOf, settleItems } from './batch';
import { assertFound, changeOf, readObjects, readOneObject, scopeOf, sendInfrastructure, targetOf } from './common';

/** `PUT {rc}/{plural}/{id}`: 204 when updated, 404 when there is no such object. */
export async function updateOne(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const { service, ctx, itemId } = targetOf(req);
  const partial = await readOneObject(req, core, service, 'partial');
  const bodyId = idOf(partial, service);
  if (bodyId && bodyId !== itemId) {
    throw new BadRequestError(`The payload's @${service.idAttribute} ${bodyId.slice(0, 60)} is not the one in the URL`);
  }
  assertFound(service, 'update', await service.handlers.update!(ctx, itemId!, partial), itemId!);
  await core.changes.fromConnector(changeOf(ctx, 'UPDATE', [withId(partial, service, itemId!)]), service);
  core.responder.empty(req, res, 204, { responseAction: 'UPDATE' });
}

/**
 * `PUT {rc}/{plural}`: 200 with an `updateResponse`; each object is updated, or fails, on its own:
 * all in one call to the `updateMany` handler when there is one, else one by one with `update`.
 */
export async function updateMany(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const target = targetOf(req);
  const { service, ctx } = target;
  const partials = await readObjects(req, core, service);
  const { updateMany: many, update } = service.handlers;
  // An object without its id is refused before any handler sees it (id '' is never handed over).
  const items = partials.map((partial) => ({ id: idOf(partial, service), partial }));
  const settled = await settleItems(core, service, items, {
    batchName: 'updateMany',
    many: many && ((batch) => many(ctx, batch)),
    one: ({ id, partial }) => update!(ctx, id, partial),
    precheck: ({ id, partial }) => {
      if (!id) throw new BadRequestError(`Each ${service.objectName} to update needs its @${service.idAttribute}`);
      assertValidInput(service, partial, 'partial');
    },
    check: (returned, { id, partial }) => (assertFound(service, many ? 'updateMany' : 'update', returned, id), partial),
  });
  const outcomes = settled.map((s, i) => {
    const { id } = items[i]!;
    return outcomeOf(core, s, id ? { id } : {}, () => ({ id, statusCode: 200 }));
  });
  const updated = settled.flatMap((s) => (s.ok ? [s.value] : []));
  await core.changes.fromConnector(changeOf(ctx, 'UPDATE', updated), service);
  sendInfrastructure(req, res, core, 'updateResponse', updateResponse(outcomes, scopeOf(target)));
}

function withId(object: GoessnerObject, service: RegisteredService, id: string): GoessnerObject {
  return { [`@${service.idAttribute}`]: id, ...object };
}
