import type { NextFunction, Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { MethodNotAllowedError, NotFoundError } from '../../errors';
import { getSifContext } from '../../http/context';
import { header } from '../../http/params';
import { checkServiceType } from '../../http/request-headers';
import { handlerContext } from '../../http/handler-context';
import type { ObjectPath } from '../../http/url';
import { DEFAULT_CONTEXT } from '../../protocol/enums';
import { findProvisioned, requireGranted } from '../../protocol/rights';
import type { RegisteredService, RegisteredServicePath } from '../../services/registry';
import type { SifRequestContext } from '../../services/types';
import type { Operation } from './operations';
import { OPERATIONS, collectionOperation, itemOperation, servicePathOperation } from './operations';

/** Where an object-service request is aimed and what it asks for, once resolved. */
export interface RequestTarget {
  /** The service whose objects are read or changed (for a service path, the one it returns). */
  readonly service: RegisteredService;
  readonly operation: Operation;
  /** The id in `{rc}/{plural}/{id}`. */
  readonly itemId: string | undefined;
  /** For `{rc}/{a}/{id}/{b}`: the service path and the ids in the URL. */
  readonly servicePath: { readonly path: RegisteredServicePath; readonly parentIds: readonly string[] } | undefined;
  /** What handlers receive. */
  readonly ctx: SifRequestContext;
}

/**
 * Step: resolves the service, the operation (method and `methodOverride`), the zone and context
 * (matrix parameters, else headers, else the consumer's default zone and DEFAULT), and checks, in
 * this order, that the service is provisioned there for this consumer (404), implements the
 * operation (405), and that the consumer has the right (403).
 */
export function resolveTarget(core: ProviderCore) {
  return function resolveTargetStep(req: Request, _res: Response, next: NextFunction): void {
    const context = getSifContext(req);
    const session = context.session!;
    const override = header(req, 'methodOverride')?.trim().toUpperCase() || undefined;
    const url = context.objectPath!;
    const servicePath = findServicePath(core, url);
    const serviceName = servicePath?.path.name ?? url.service;
    const service = servicePath?.path.service ?? core.config.services.get(serviceName);
    // A functional service lives under the services connector (`{mount}/services/…`), not here.
    if (!service || service.job) throw new NotFoundError(`No service ${serviceName.slice(0, 80)}`, { scope: serviceName.slice(0, 80) });
    const itemId = servicePath ? undefined : url.id;
    const operation = servicePath
      ? servicePathOperation(req.method, override)
      : itemId === undefined
        ? collectionOperation(req.method, override)
        : itemOperation(req.method, override, itemId === service.objectName);
    const spec = OPERATIONS[operation];

    const zoneId = context.matrix.zoneId || header(req, 'zoneId') || session.environment.defaultZone.id;
    const contextId = context.matrix.contextId || header(req, 'contextId') || DEFAULT_CONTEXT;
    const where = { zoneId, serviceName, contextId };
    const provisioned = findProvisioned(session.environment, where);
    if (!provisioned) {
      throw new NotFoundError(`No service ${serviceName} in zone ${zoneId.slice(0, 80)}, context ${contextId.slice(0, 80)}`);
    }
    if (!servicePath && !service.handlers[spec.handler]) {
      throw new MethodNotAllowedError(`${serviceName} does not support ${spec.action.toLowerCase()} requests`, allowedMethods(service, itemId !== undefined));
    }
    requireGranted(provisioned, where, spec.right);
    // A service path answers as SERVICEPATH (Base Architecture §5.5); OBJECT, the default, is taken for it too.
    context.serviceType = servicePath
      ? checkServiceType(req, serviceName, 'SERVICEPATH', ['SERVICEPATH', 'OBJECT'])
      : checkServiceType(req, serviceName, service.type, [service.type]);

    const env = session.environment;
    context.target = {
      service,
      operation,
      itemId: operation === 'createOne' ? undefined : itemId,
      servicePath,
      ctx: handlerContext(req, env, where),
    };
    next();
  };
}

/**
 * For `{rc}/{a}/{id}/{b}` (and deeper: `{a}/{id}/{b}/{id}/{c}`), the registered service path
 * `a/{}/b` and the ids; undefined for other URLs; 404 for a path nobody serves.
 */
function findServicePath(core: ProviderCore, url: ObjectPath): RequestTarget['servicePath'] {
  if (!url.rest) return undefined;
  const segments = [url.service, url.id!, ...url.rest];
  const names = segments.filter((_, i) => i % 2 === 0);
  const ids = segments.filter((_, i) => i % 2 === 1);
  const path = segments.length % 2 === 1 ? core.config.servicePaths.get(names.join('/{}/')) : undefined;
  if (!path) throw new NotFoundError(`No service path ${names.join('/{}/').slice(0, 120)}`);
  return { path, parentIds: ids };
}

function allowedMethods(service: RegisteredService, item: boolean): string[] {
  const h = service.handlers;
  const methods: string[] = [];
  if (item ? h.read : h.query) methods.push('GET', 'HEAD');
  if (h.create) methods.push('POST');
  if (h.update || (!item && h.delete)) methods.push('PUT');
  if (item && h.delete) methods.push('DELETE');
  return methods;
}
