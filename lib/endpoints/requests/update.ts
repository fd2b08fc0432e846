import type { Request, Response } from 'express';
import { idOf } from '../../changes';
import type { ProviderCore } from '../../core';
import { BadRequestError, NotFoundError } from '../../errors';
import type { GoessnerObject } from '../../payload/goessner';
import type { ItemOutcome } from '../../payload/responses';
import { updateResponse } from '../../payload/responses';
import type { RegisteredService } from '../../services/registry';
import type { SifRequestContext } from '../../services/types';
import { changeOf, checkedDone, readObjects, readOneObject, runItem, scopeOf, sendInfrastructure, targetOf } from './common';

/** `PUT {rc}/{plural}/{id}`: 204 when updated, 404 when there is no such object. */
export async function updateOne(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const { service, ctx, itemId } = targetOf(req);
  const partial = await readOneObject(req, core, service);
  const bodyId = idOf(partial, service);
  if (bodyId && bodyId !== itemId) {
    throw new BadRequestError(`The payload's @${service.idAttribute} ${bodyId.slice(0, 60)} is not the one in the URL`);
  }
  await updateWith(service, ctx, itemId!, partial);
  await core.changes.fromConnector(changeOf(ctx, 'UPDATE', [withId(partial, service, itemId!)]), service);
  core.responder.empty(req, res, 204, { responseAction: 'UPDATE' });
}

/** `PUT {rc}/{plural}`: 200 with an `updateResponse`; each object is updated, or fails, on its own. */
export async function updateMany(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const target = targetOf(req);
  const { service, ctx } = target;
  const partials = await readObjects(req, core, service);
  const updated: GoessnerObject[] = [];
  const outcomes: ItemOutcome[] = [];
  for (const partial of partials) {
    const id = idOf(partial, service);
    outcomes.push(
      await runItem(
        core,
        async () => {
          if (!id) throw new BadRequestError(`Each ${service.objectName} to update needs its @${service.idAttribute}`);
          await updateWith(service, ctx, id, partial);
          updated.push(partial);
          return { id, statusCode: 200 };
        },
        id ? { id } : {},
      ),
    );
  }
  await core.changes.fromConnector(changeOf(ctx, 'UPDATE', updated), service);
  sendInfrastructure(req, res, core, 'updateResponse', updateResponse(outcomes, scopeOf(target)));
}

async function updateWith(service: RegisteredService, ctx: SifRequestContext, id: string, partial: GoessnerObject): Promise<void> {
  if (!checkedDone(service, 'update', await service.handlers.update!(ctx, id, partial))) {
    throw new NotFoundError(`No ${service.objectName} with ${service.idAttribute} ${id.slice(0, 80)}`);
  }
}

function withId(object: GoessnerObject, service: RegisteredService, id: string): GoessnerObject {
  return { [`@${service.idAttribute}`]: id, ...object };
}
