import { BadRequestError, MethodNotAllowedError } from '../../errors';
import type { ResponseAction, RightType } from '../../protocol/enums';
import type { ServiceHandlers } from '../../services/types';

/** What a request to an object service asks for. */
export type Operation =
  | 'query'
  | 'queryByExample'
  | 'read'
  | 'createOne'
  | 'createMany'
  | 'updateOne'
  | 'updateMany'
  | 'deleteOne'
  | 'deleteMany';

/** Per operation: the right it needs, the handler that serves it, and its `responseAction`. */
export const OPERATIONS: Readonly<Record<Operation, { right: RightType; handler: keyof ServiceHandlers; action: ResponseAction }>> = {
  query: { right: 'QUERY', handler: 'query', action: 'QUERY' },
  queryByExample: { right: 'QUERY', handler: 'query', action: 'QUERY' },
  read: { right: 'QUERY', handler: 'read', action: 'QUERY' },
  createOne: { right: 'CREATE', handler: 'create', action: 'CREATE' },
  createMany: { right: 'CREATE', handler: 'create', action: 'CREATE' },
  updateOne: { right: 'UPDATE', handler: 'update', action: 'UPDATE' },
  updateMany: { right: 'UPDATE', handler: 'update', action: 'UPDATE' },
  deleteOne: { right: 'DELETE', handler: 'delete', action: 'DELETE' },
  deleteMany: { right: 'DELETE', handler: 'delete', action: 'DELETE' },
};

const COLLECTION_METHODS = ['GET', 'HEAD', 'POST', 'PUT'];
const ITEM_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE'];

/**
 * The operation of a request to `{rc}/{plural}` (interop.md §3), honouring `methodOverride`:
 * POST + GET is query by example, PUT + DELETE is a multi-object delete. DELETE on a collection is a
 * 405 that says how to delete several objects.
 */
export function collectionOperation(method: string, override: string | undefined): Operation {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'query';
    case 'POST':
      if (override === 'GET') return 'queryByExample';
      if (override === undefined || override === 'POST' || override === 'CREATE') return 'createMany';
      break;
    case 'PUT':
      if (override === 'DELETE') return 'deleteMany';
      if (override === undefined || override === 'PUT' || override === 'UPDATE') return 'updateMany';
      break;
    case 'DELETE':
      throw new MethodNotAllowedError(
        'To delete several objects, send PUT with the header methodOverride: DELETE and a deleteRequest',
        COLLECTION_METHODS,
      );
    default:
      throw new MethodNotAllowedError(`${method} is not allowed on a collection`, COLLECTION_METHODS);
  }
  throw new BadRequestError(`methodOverride ${override!.slice(0, 20)} does not apply to ${method}`);
}

/** The operation of a request to `{rc}/{plural}/{id}`, or `{rc}/{plural}/{singular}` for a single create. */
export function itemOperation(method: string, override: string | undefined, isSingularName: boolean): Operation {
  if (method === 'POST' && isSingularName && (override === undefined || override === 'POST' || override === 'CREATE')) return 'createOne';
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'read';
    case 'PUT':
      if (override === 'DELETE') return 'deleteOne';
      if (override === undefined || override === 'PUT' || override === 'UPDATE') return 'updateOne';
      throw new BadRequestError(`methodOverride ${override.slice(0, 20)} does not apply to PUT`);
    case 'DELETE':
      return 'deleteOne';
    case 'POST':
      throw new MethodNotAllowedError('Create one object by POST to {service}/{objectName}, or several by POST to {service}', ITEM_METHODS);
    default:
      throw new MethodNotAllowedError(`${method} is not allowed on an object`, ITEM_METHODS);
  }
}

/** The operation of a service path request: queries only (Base Architecture §5.5.1). */
export function servicePathOperation(method: string, override: string | undefined): Operation {
  if (method === 'GET' || method === 'HEAD') return 'query';
  if (method === 'POST' && override === 'GET') return 'queryByExample';
  throw new MethodNotAllowedError('Service paths can only be queried', ['GET', 'HEAD']);
}
