import type { Request, Response } from 'express';
import { idOf } from '../../changes';
import type { ProviderCore } from '../../core';
import { BadRequestError, InternalServiceError } from '../../errors';
import { headerOrQuery } from '../../http/params';
import type { GoessnerObject } from '../../payload/goessner';
import { isPlainObject } from '../../payload/output-values';
import type { ItemOutcome } from '../../payload/responses';
import { createResponse } from '../../payload/responses';
import type { RegisteredService } from '../../services/registry';
import type { SifRequestContext } from '../../services/types';
import { changeOf, checkedObject, readObjects, readOneObject, runItem, scopeOf, sendInfrastructure, sendObject, targetOf } from './common';

/** `POST {rc}/{plural}/{singular}`: 201 with the created object (honouring `mustUseAdvisory`). */
export async function createOne(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const { service, ctx } = targetOf(req);
  const object = await readOneObject(req, core, service);
  const created = await createWith(service, ctx, object, mustUseAdvisory(req));
  await core.changes.fromConnector(changeOf(ctx, 'CREATE', [created]), service);
  const url = `${core.responder.baseUrl(req)}/requests/${service.name}/${encodeURIComponent(idOf(created, service))}`;
  sendObject(req, res, core, 201, created, { Location: url });
}

/** `POST {rc}/{plural}`: 200 with a `createResponse`; each object is created, or fails, on its own. */
export async function createMany(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const target = targetOf(req);
  const { service, ctx } = target;
  const objects = await readObjects(req, core, service);
  const advisory = mustUseAdvisory(req);
  const created: GoessnerObject[] = [];
  const outcomes: ItemOutcome[] = [];
  for (const object of objects) {
    const advisoryId = idOf(object, service) || undefined;
    outcomes.push(
      await runItem(
        core,
        async () => {
          const stored = await createWith(service, ctx, object, advisory);
          created.push(stored);
          return { id: idOf(stored, service), advisoryId, statusCode: 201 };
        },
        { advisoryId },
      ),
    );
  }
  await core.changes.fromConnector(changeOf(ctx, 'CREATE', created), service);
  sendInfrastructure(req, res, core, 'createResponse', createResponse(outcomes, scopeOf(target)));
}

async function createWith(service: RegisteredService, ctx: SifRequestContext, object: GoessnerObject, mustUse: boolean): Promise<GoessnerObject> {
  const advisoryId = idOf(object, service);
  if (mustUse && !advisoryId) {
    throw new BadRequestError(`mustUseAdvisory is set but the ${service.objectName} has no @${service.idAttribute}`);
  }
  const returned: unknown = await service.handlers.create!(ctx, object, { mustUseAdvisory: mustUse });
  if (!isPlainObject(returned)) throw new InternalServiceError(`The ${service.name} create handler must return the object with its @${service.idAttribute}`);
  const created = checkedObject(service, returned);
  if (!idOf(created, service)) {
    throw new InternalServiceError(`The ${service.name} create handler must return the object with its @${service.idAttribute}`);
  }
  if (mustUse && idOf(created, service) !== advisoryId) {
    throw new InternalServiceError(`The ${service.name} create handler did not use the advisory id`);
  }
  return created;
}

function mustUseAdvisory(req: Request): boolean {
  return headerOrQuery(req, 'mustUseAdvisory')?.trim().toLowerCase() === 'true';
}
