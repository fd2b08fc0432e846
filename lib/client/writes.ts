import { INFRASTRUCTURE_NAMESPACE } from './codec';
import type { DelayedOptions, DelayedRequest } from './delayed';
import { sendDelayed } from './delayed';
import { operationResults } from '../payload/operation-results';
import type { ServiceTarget } from './service-target';
import type { SendOptions } from './transport';
import type { OperationResult, Scope, SifObject } from './types';

/** The options of creates: a scope, and whether the provider must keep the ids given. */
export type CreateOptions = Scope & { mustUseAdvisory?: boolean };

function advisoryHeaders(options: CreateOptions): Record<string, string | undefined> {
  return { mustUseAdvisory: options.mustUseAdvisory ? 'true' : undefined };
}

/** POST of one object; resolves with it as stored. */
export async function createOne(target: ServiceTarget, object: SifObject, options: CreateOptions): Promise<SifObject> {
  const response = await target.send({
    method: 'POST',
    url: target.url([target.objectName], options),
    headers: advisoryHeaders(options),
    body: { root: target.objectName, value: object, namespace: target.namespace },
    expect: [201, 200],
    what: `POST ${target.plural}/${target.objectName}`,
  });
  return response.body ? target.shape(response.body.value) : object;
}

/** POST of many objects: one result per object, or, DELAYED, the request id. */
export async function createMany(
  target: ServiceTarget,
  objects: readonly SifObject[],
  options: CreateOptions & Partial<DelayedOptions>,
): Promise<OperationResult[] | DelayedRequest> {
  const request: SendOptions = {
    method: 'POST',
    url: target.url([], options),
    headers: advisoryHeaders(options),
    body: { root: target.plural, value: { [target.objectName]: [...objects] }, namespace: target.namespace },
    expect: [200],
    what: `POST ${target.plural}`,
  };
  if (options.delayed) return sendDelayed(target, request, options.delayed);
  const response = await target.send(request);
  return response.body ? operationResults(response.body.value, 'creates', 'create') : [];
}

/** PUT of one partial object; false on 404. */
export async function updateOne(target: ServiceTarget, id: string, partial: SifObject, scope: Scope): Promise<boolean> {
  const response = await target.send({
    method: 'PUT',
    url: target.url([id], scope),
    body: { root: target.objectName, value: partial, namespace: target.namespace },
    expect: [204, 200, 404],
    what: `PUT ${target.plural}/${id}`,
  });
  return response.status !== 404;
}

/** PUT of many partial objects: one result per object. */
export async function updateMany(
  target: ServiceTarget,
  updates: ReadonlyArray<{ id: string; partial: SifObject }>,
  scope: Scope,
): Promise<OperationResult[]> {
  const objects = updates.map(({ id, partial }) => ({ [`@${target.idAttribute}`]: id, ...partial }));
  const response = await target.send({
    method: 'PUT',
    url: target.url([], scope),
    body: { root: target.plural, value: { [target.objectName]: objects }, namespace: target.namespace },
    expect: [200],
    what: `PUT ${target.plural}`,
  });
  return response.body ? operationResults(response.body.value, 'updates', 'update') : [];
}

/** DELETE of one object; false on 404. */
export async function deleteOne(target: ServiceTarget, id: string, scope: Scope): Promise<boolean> {
  const response = await target.send({ method: 'DELETE', url: target.url([id], scope), expect: [204, 200, 404], what: `DELETE ${target.plural}/${id}` });
  return response.status !== 404;
}

/** `PUT` + `methodOverride: DELETE` + `deleteRequest`: one result per id. */
export async function deleteMany(target: ServiceTarget, ids: readonly string[], scope: Scope): Promise<OperationResult[]> {
  const response = await target.send({
    method: 'PUT',
    url: target.url([], scope),
    headers: { methodOverride: 'DELETE' },
    body: { root: 'deleteRequest', value: { deletes: { delete: ids.map((id) => ({ '@id': id })) } }, namespace: INFRASTRUCTURE_NAMESPACE },
    expect: [200],
    what: `DELETE ${target.plural} (deleteRequest)`,
  });
  return response.body ? operationResults(response.body.value, 'deletes', 'delete') : [];
}
