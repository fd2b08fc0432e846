import type { Request, Response } from 'express';
import { idOf } from '../../changes';
import type { ProviderCore } from '../../core';
import { BadRequestError, InternalServiceError } from '../../errors';
import { mustUseAdvisoryOf } from '../../http/request-headers';
import type { GoessnerObject } from '../../payload/goessner';
import { isPlainObject } from '../../payload/output-values';
import { assertValidInput } from '../../models/hooks';
import { createResponse } from '../../payload/responses';
import type { RegisteredService } from '../../services/registry';
import { outcomeOf, settleItems } from './batch';
import { changeOf, checkedObject, readObjects, readOneObject, scopeOf, sendInfrastructure, sendObject, targetOf } from './common';

/** `POST {rc}/{plural}/{singular}`: 201 with the created object (honouring `mustUseAdvisory`). */
export async function createOne(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const { service, ctx } = targetOf(req);
  const object = await readOneObject(req, core, service, 'full');
  const mustUse = mustUseAdvisoryOf(req);
  requireAdvisory(service, object, mustUse);
  const created = checkedCreated(core, service, 'create', object, mustUse, await service.handlers.create!(ctx, object, { mustUseAdvisory: mustUse }));
  await core.changes.fromConnector(changeOf(ctx, 'CREATE', [created]), service);
  const url = `${core.responder.baseUrl(req)}/requests/${service.name}/${encodeURIComponent(idOf(created, service))}`;
  sendObject(req, res, core, 201, created, { Location: url });
}

/**
 * `POST {rc}/{plural}`: 200 with a `createResponse`; each object is created, or fails, on its own:
 * all in one call to the `createMany` handler when there is one, else one by one with `create`.
 */
export async function createMany(core: ProviderCore, req: Request, res: Response): Promise<void> {
  const target = targetOf(req);
  const { service, ctx } = target;
  const objects = await readObjects(req, core, service);
  const options = { mustUseAdvisory: mustUseAdvisoryOf(req) };
  const { createMany: many, create } = service.handlers;
  const settled = await settleItems(core, service, objects, {
    batchName: 'createMany',
    many: many && ((batch) => many(ctx, batch, options)),
    one: (object) => create!(ctx, object, options),
    precheck: (object) => {
      requireAdvisory(service, object, options.mustUseAdvisory);
      assertValidInput(service, object, 'full');
    },
    check: (returned, object) => checkedCreated(core, service, many ? 'createMany' : 'create', object, options.mustUseAdvisory, returned),
  });
  const outcomes = settled.map((s, i) => {
    const advisoryId = idOf(objects[i]!, service) || undefined;
    return outcomeOf(core, s, { advisoryId }, (stored) => ({ id: idOf(stored, service), advisoryId, statusCode: 201 }));
  });
  const created = settled.flatMap((s) => (s.ok ? [s.value] : []));
  await core.changes.fromConnector(changeOf(ctx, 'CREATE', created), service);
  sendInfrastructure(req, res, core, 'createResponse', createResponse(outcomes, scopeOf(target)));
}

/** With `mustUseAdvisory`, an object without an id is the consumer's mistake: 400, no handler called. */
function requireAdvisory(service: RegisteredService, object: GoessnerObject, mustUse: boolean): void {
  if (mustUse && !idOf(object, service)) {
    throw new BadRequestError(`mustUseAdvisory is set but the ${service.objectName} has no @${service.idAttribute}`);
  }
}

/**
 * What a create handler (`handler`: its name, for the message) returned for `object`, checked: an
 * object with its id (the advisory one under `mustUseAdvisory`), shaped for output; else a 500.
 */
function checkedCreated(core: ProviderCore, service: RegisteredService, handler: 'create' | 'createMany', object: GoessnerObject, mustUse: boolean, returned: unknown): GoessnerObject {
  if (!isPlainObject(returned)) throw new InternalServiceError(`The ${service.name} ${handler} handler must return the object with its @${service.idAttribute}`);
  const created = checkedObject(core, service, returned);
  if (!idOf(created, service)) {
    throw new InternalServiceError(`The ${service.name} ${handler} handler must return the object with its @${service.idAttribute}`);
  }
  if (mustUse && idOf(created, service) !== idOf(object, service)) {
    throw new InternalServiceError(`The ${service.name} ${handler} handler did not use the advisory id`);
  }
  return created;
}
