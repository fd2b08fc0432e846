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
  /** Also offer the batch handlers (createMany, updateMany, deleteMany), one call per multi-object request. */
  batch?: boolean;
  /**
   * Continue a walk after `query.after` (the object with that id, in the query's order) instead of
   * skipping `offset` objects, and reuse `query.knownTotal`, as a database handler would; offset when
   * that object is gone.
   */
  seek?: boolean;
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
      const at = options.seek && query.after ? all.findIndex((o) => String(o[idKey]) === query.after!.id) : -1;
      const start = at >= 0 ? at + 1 : query.offset;
      const totalCount = options.seek && query.knownTotal !== undefined ? query.knownTotal : all.length;
      return { objects: all.slice(start, start + query.pageSize).map((o) => structuredClone(o)), totalCount };
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
  if (options.batch) {
    // Built on the single handlers (captured before `omit`), as a host would wrap them in one
    // transaction: one result per item, an item's error returned rather than thrown.
    const { create, update, delete: remove } = handlers;
    const each = async <I, R>(items: I[], one: (item: I) => Promise<R>): Promise<(R | Error)[]> => {
      const results: (R | Error)[] = [];
      for (const item of items) results.push(await one(item).catch((err: Error) => err));
      return results;
    };
    handlers.createMany = async (ctx, list, createOptions) => each(list, (o) => create!(ctx, o, createOptions));
    handlers.updateMany = async (ctx, updates) => each(updates, (u) => update!(ctx, u.id, u.partial));
    handlers.deleteMany = async (ctx, ids) => each(ids, (id) => remove!(ctx, id));
  }
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
