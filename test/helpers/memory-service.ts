import { randomUUID } from 'node:crypto';
import type { GoessnerObject, QueryFeatures, QueryRequest, ServiceDefinition, ServiceHandlers } from 'sif3-direct';
import { ConflictError, compareByOrder, matchesWhere } from 'sif3-direct';

export const NA_NS = 'http://www.sifassociation.org/datamodel/na/3.6';

export interface MemoryServiceOptions {
  objectName: string;
  idAttribute?: string;
  namespace?: string;
  repeatable?: string[];
  objects?: GoessnerObject[];
  /** Handlers to leave out, to test unimplemented operations. */
  omit?: (keyof ServiceHandlers)[];
  /** Query features to declare; default all (none without a query handler), applied with the library's reference evaluator. */
  supports?: QueryFeatures;
  paths?: ServiceDefinition['paths'];
}

/**
 * A complete object service over a Map, in insertion order: what a host's handlers look like, kept
 * small so that tests exercise the library, not the handlers.
 */
export function memoryService(options: MemoryServiceOptions): { definition: ServiceDefinition; objects: Map<string, GoessnerObject> } {
  const idKey = `@${options.idAttribute ?? 'refId'}`;
  const objects = new Map<string, GoessnerObject>();
  for (const o of options.objects ?? []) objects.set(String(o[idKey]), structuredClone(o));
  const select = (query: QueryRequest) => {
    let all = [...objects.values()];
    if (query.where) all = all.filter((o) => matchesWhere(o, query.where!));
    if (query.order) all = all.sort((a, b) => compareByOrder(a, b, query.order!));
    return all;
  };
  const handlers: ServiceHandlers = {
    query: async (_ctx, query) => {
      const all = select(query);
      return { objects: all.slice(query.offset, query.offset + query.pageSize).map((o) => structuredClone(o)), totalCount: all.length };
    },
    queryIds: async (_ctx, query) => select(query).map((o) => String(o[idKey])),
    read: async (_ctx, id) => structuredClone(objects.get(id)) ?? null,
    create: async (_ctx, object, { mustUseAdvisory }) => {
      const advisory = typeof object[idKey] === 'string' ? (object[idKey] as string) : undefined;
      if (advisory && objects.has(advisory) && mustUseAdvisory) throw new ConflictError(`${advisory} exists`);
      const id = advisory && !objects.has(advisory) ? advisory : randomUUID();
      const stored = { ...structuredClone(object), [idKey]: id };
      objects.set(id, stored);
      return structuredClone(stored);
    },
    update: async (_ctx, id, partial) => {
      const existing = objects.get(id);
      if (!existing) return false;
      objects.set(id, { ...existing, ...structuredClone(partial), [idKey]: id });
      return true;
    },
    delete: async (_ctx, id) => objects.delete(id),
  };
  for (const name of options.omit ?? []) delete handlers[name];
  return {
    objects,
    definition: {
      objectName: options.objectName,
      idAttribute: options.idAttribute,
      namespace: options.namespace ?? NA_NS,
      repeatable: options.repeatable,
      handlers,
      // Query features need a query handler to apply them (start-up refuses them otherwise).
      supports: options.supports ?? (handlers.query ? { where: true, order: true, queryByExample: true } : {}),
      ...(options.paths ? { paths: options.paths } : {}),
    },
  };
}

/** A deterministic xStudent. */
export function student(i: number, extra: GoessnerObject = {}): GoessnerObject {
  const hex = i.toString(16).padStart(12, '0');
  return {
    '@refId': `00000000-0000-4000-8000-${hex}`,
    name: { type: 'LegalName', familyName: `Family${i}`, givenName: `Given${i}` },
    localId: String(1000 + i),
    ...extra,
  };
}
