import type { ServiceHandlers } from 'sif3-direct';
import type { SisConnection } from '../sis/connection';
import type { SingleWrites } from './document-table';

/**
 * `createMany`, `updateMany` and `deleteMany` from single-object writes: a whole request in one
 * transaction (one commit instead of one per object), each item in a savepoint of its own, so that
 * an item that fails leaves no half-written rows and is reported alone, as an Error in its place,
 * while the others are kept (`SisConnection.writeEach`).
 *
 * @example
 * const handlers = { ...singleHandlers, ...batchHandlers(sis, { create, update, delete: remove }) };
 */
export function batchHandlers(sis: SisConnection, one: SingleWrites): Pick<ServiceHandlers, 'createMany' | 'updateMany' | 'deleteMany'> {
  return {
    createMany: (_ctx, objects, { mustUseAdvisory }) => sis.writeEach(objects, (sql, object) => one.create(sql, object, mustUseAdvisory)),
    updateMany: (_ctx, updates) => sis.writeEach(updates, (sql, { id, partial }) => one.update(sql, id, partial)),
    deleteMany: (_ctx, ids) => sis.writeEach(ids, (sql, id) => one.delete(sql, id)),
  };
}
