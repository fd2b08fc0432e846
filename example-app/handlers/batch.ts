import type { GoessnerObject, ServiceHandlers } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';

/** A service's single-object writes, synchronous so that a batch can run them inside one transaction. */
export interface SingleWrites {
  /** The object as stored, with its refId; throws a SifError when it is not acceptable. */
  create(object: GoessnerObject, mustUseAdvisory: boolean): GoessnerObject;
  /** False when there is no such object. */
  update(refId: string, partial: GoessnerObject): boolean;
  /** False when there is no such object; throws a SifError to refuse it. */
  delete(refId: string): boolean;
}

/**
 * `createMany`, `updateMany` and `deleteMany` from single-object writes: a whole request in one
 * SQLite transaction (one commit instead of one per object), each item in a savepoint of its own,
 * so that an item that fails leaves no half-written rows and is reported alone, as an Error in its
 * place, while the others are kept.
 *
 * @example
 * const handlers = { ...singleHandlers, ...batchHandlers(db, { create, update, delete: remove }) };
 */
export function batchHandlers(db: SisDatabase, one: SingleWrites): Pick<ServiceHandlers, 'createMany' | 'updateMany' | 'deleteMany'> {
  // better-sqlite3 runs a transaction function called inside another one as a SAVEPOINT: when the
  // item throws, only its own writes are rolled back.
  const item = db.transaction((run: () => unknown) => run());
  const request = db.transaction((items: readonly unknown[], write: (item: unknown) => unknown) =>
    items.map((x) => {
      try {
        return item(() => write(x));
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    }),
  );
  function each<I, R>(items: readonly I[], write: (item: I) => R): (R | Error)[] {
    return request(items, write as (item: unknown) => unknown) as (R | Error)[];
  }
  return {
    async createMany(_ctx, objects, { mustUseAdvisory }) {
      return each(objects, (object) => one.create(object, mustUseAdvisory));
    },
    async updateMany(_ctx, updates) {
      return each(updates, ({ id, partial }) => one.update(id, partial));
    },
    async deleteMany(_ctx, ids) {
      return each(ids, (id) => one.delete(id));
    },
  };
}
