import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, InternalServiceError, NotFoundError, QuotaExceededError, SifError } from '../../errors';
import { getSifContext } from '../../http/context';
import { readPayload } from '../../http/payload';
import type { DecodedPayload } from '../../payload/codec';
import type { GoessnerObject } from '../../payload/goessner';
import { isElement } from '../../payload/goessner';
import { collectionItems, normalizeObject, shapeForOutput } from '../../payload/objects';
import type { ItemOutcome } from '../../payload/responses';
import type { RegisteredService } from '../../services/registry';
import type { ChangeAction, SifRequestContext } from '../../services/types';
import { assertValidInput, checkOutput } from '../../models/hooks';
import type { RequestTarget } from './target';
import { OPERATIONS } from './operations';

/** The resolved target of an object-service request. */
export function targetOf(req: Request): RequestTarget {
  return getSifContext(req).target!;
}

/** Reads a payload that must be there, with the given root element. */
export async function requirePayload(req: Request, core: ProviderCore, root: string): Promise<DecodedPayload> {
  const payload = await readPayload(req, core.config.limits);
  if (!payload) throw new BadRequestError(`This request needs a ${root} payload`);
  if (payload.root !== root) throw new BadRequestError(`Expected ${root}, got "${payload.root.slice(0, 60)}"`);
  return payload;
}

/**
 * A payload of the service's objects (`root`: the object or the collection element): XML must be
 * in the service's namespace, so that an object of another data model (AU sent to an NA service)
 * or of none is refused with a 400 that names both; so must every element and attribute in it
 * (`xmlns*` and `xsi:*` aside): the first one outside is a 400 naming its path and namespace. JSON carries no namespace (interop.md §4).
 *
 * @example
 * const payload = await requireObjectPayload(req, core, service, service.objectName!);
 */
export async function requireObjectPayload(req: Request, core: ProviderCore, service: RegisteredService, root: string): Promise<DecodedPayload> {
  const payload = await requirePayload(req, core, root);
  const expected = service.namespace;
  if (payload.format === 'xml' && expected !== undefined && payload.namespace !== expected) {
    throw new BadRequestError(
      payload.namespace === undefined
        ? `The ${root} has no namespace; ${service.name} takes xmlns="${expected}"`
        : `The ${root} is in the namespace "${payload.namespace.slice(0, 200)}"; ${service.name} takes "${expected}"`,
    );
  }
  if (payload.format === 'xml' && expected !== undefined && payload.foreign) {
    // A child in another namespace is not the element of this model its local name suggests.
    const { path, namespace } = payload.foreign;
    throw new BadRequestError(
      `${path.slice(0, 300)} is ${namespace === undefined ? 'in no namespace' : `in the namespace "${namespace.slice(0, 200)}"`}; ${service.name} takes only "${expected}"`,
    );
  }
  return payload;
}

/**
 * One object from a single-object payload, as handlers receive it; with `validate`, checked as a
 * whole object (`full`: a create) or a partial one (an update).
 */
export async function readOneObject(req: Request, core: ProviderCore, service: RegisteredService, mode: 'full' | 'partial'): Promise<GoessnerObject> {
  const payload = await requireObjectPayload(req, core, service, service.objectName!);
  const object = normalizeObject(payload.value, service.repeatable, service.objectName);
  assertValidInput(service, object, mode);
  return object;
}

/**
 * The objects of a collection payload (`<xStudents><xStudent/>…`), as handlers receive them; more
 * than `limits.maxObjectsPerRequest` is a 413 before any handler runs.
 */
export async function readObjects(req: Request, core: ProviderCore, service: RegisteredService): Promise<GoessnerObject[]> {
  const payload = await requireObjectPayload(req, core, service, service.name);
  const items = collectionItems(payload.value, service.name, service.objectName!);
  if (items.length === 0) throw new BadRequestError(`The ${service.name} payload holds no ${service.objectName}`);
  assertObjectCount(items.length, core);
  return items.map((item, i) => {
    if (!isElement(item)) throw new BadRequestError(`${service.objectName} number ${i + 1} is not an element`);
    return normalizeObject(item, service.repeatable, service.objectName);
  });
}

/**
 * Throws 413 when a multi-object request carries more objects (or ids) than
 * `limits.maxObjectsPerRequest`.
 *
 * @example
 * assertObjectCount(ids.length, core);
 */
export function assertObjectCount(count: number, core: ProviderCore): void {
  const max = core.config.limits.maxObjectsPerRequest;
  if (count > max) {
    throw new QuotaExceededError(413, 'limits.maxObjectsPerRequest', `A request may carry at most ${max} objects; this one has ${count}`, {
      description: 'Limit: limits.maxObjectsPerRequest. Send the objects in several requests.',
    });
  }
}

/**
 * What a handler returned as an object, checked and shaped as it will be sent (names, scalars,
 * repeatable elements, schema order; see `shapeForOutput`; and against the model with
 * `validateOutput`): done once, before the change is published, so that neither the answer nor any
 * event can carry a value no document can hold.
 *
 * @example
 * const created = checkedObject(core, service, await service.handlers.create!(ctx, object, options));
 */
export function checkedObject(core: ProviderCore, service: RegisteredService, object: GoessnerObject): GoessnerObject {
  const shaped = shapeForOutput(object, service.repeatable, service.objectName!);
  checkOutput(service, shaped, core.config.logger);
  return shaped;
}

/**
 * Checks what an update or delete handler (`handler`: its name, for the message) returned for the
 * item `id`: true when it did the work; false is a 404, anything but a boolean a 500.
 *
 * @example
 * assertFound(service, 'delete', await service.handlers.delete!(ctx, id), id);
 */
export function assertFound(service: RegisteredService, handler: 'update' | 'delete' | 'updateMany' | 'deleteMany', result: unknown, id: string): void {
  if (typeof result !== 'boolean') throw new InternalServiceError(`The ${service.name} ${handler} handler must return true or false`);
  if (!result) throw new NotFoundError(`No ${service.objectName} with ${service.idAttribute} ${id.slice(0, 80)}`);
}

/**
 * The outcome of one item of a multi-object request that failed: a `SifError` gives its status and
 * embedded error, anything else a bare 500. Failures (500s) are logged unless `logged` says they
 * were already, once for a whole batch. The other items are never affected.
 *
 * @example
 * failedItem(core, new NotFoundError('No xStudent with refId …'), { id }); // { id, statusCode: 404, error }
 */
export function failedItem(core: ProviderCore, err: unknown, base: Partial<ItemOutcome>, logged = false): ItemOutcome {
  if (err instanceof SifError) {
    if (err.status >= 500 && !logged) core.config.logger.error('sif3-direct: a handler failed on one item', err);
    return { ...base, statusCode: err.status, error: err };
  }
  if (!logged) core.config.logger.error('sif3-direct: a handler failed on one item', err);
  return { ...base, statusCode: 500, error: new InternalServiceError('Internal service error') };
}

/** Sends one object (`<xStudent>`) in the service's namespace. */
export function sendObject(req: Request, res: Response, core: ProviderCore, status: number, object: GoessnerObject, headers?: Record<string, string>): void {
  const { service, operation } = targetOf(req);
  core.responder.payload(req, res, status, service.objectName!, shapeForOutput(object, service.repeatable, service.objectName!), {
    namespace: service.namespace,
    responseAction: responseAction(req, operation),
    headers,
  });
}

/** Sends an infrastructure payload (createResponse, updateResponse, deleteResponse). */
export function sendInfrastructure(req: Request, res: Response, core: ProviderCore, root: string, value: GoessnerObject): void {
  core.responder.payload(req, res, 200, root, value, { responseAction: responseAction(req, targetOf(req).operation) });
}

/** The `responseAction` of an operation; HEAD stays HEAD. */
export function responseAction(req: Request, operation: keyof typeof OPERATIONS) {
  return req.method === 'HEAD' ? ('HEAD' as const) : OPERATIONS[operation].action;
}

/** A scope for errors about this request, e.g. "Create xStudents". */
export function scopeOf(target: RequestTarget): string {
  const action = OPERATIONS[target.operation].action;
  return `${action.charAt(0)}${action.slice(1).toLowerCase()} ${target.service.name}`;
}

/** The change a successful create, update or delete reports. */
export function changeOf(ctx: SifRequestContext, action: ChangeAction, objects: GoessnerObject[]) {
  return {
    serviceName: ctx.serviceName,
    action,
    objects,
    // Creates hand on the object as stored; updates only the elements the consumer sent.
    replacement: action === 'UPDATE' ? ('PARTIAL' as const) : undefined,
    generatorId: ctx.generatorId,
    zoneId: ctx.zoneId,
    contextId: ctx.contextId,
    environmentId: ctx.environmentId,
    applicationKey: ctx.applicationKey,
  };
}

/** An object reduced to its id: how deletions are reported and answered. */
export function idOnly(service: RegisteredService, id: string): GoessnerObject {
  return { [`@${service.idAttribute}`]: id };
}
