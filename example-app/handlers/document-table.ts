import type { GoessnerObject, ServiceHandlers } from 'sif3-direct';
import type { DocumentShape } from '../query/documents';
import { documentShape, queryDocumentIds, queryDocuments } from '../query/documents';
import type { SisConnection, SqlRunner } from '../sis/connection';
import type { Work } from '../sis/work';
import { step } from '../sis/work';
import { batchHandlers } from './batch';
import { applyPartial, chooseRefId, withRefId } from './common';

export type { DocumentShape, PagedQuery, QueryCursor, QueryScope } from '../query/documents';
export { documentShape } from '../query/documents';

/** The columns of a row: column name (trusted, from this code) → value. */
export type RowColumns = Readonly<Record<string, string | null>>;

/** A SIS table that keeps each object as Goessner JSON in `doc`, keyed by `ref_id`, beside searchable columns. */
export interface DocumentTable {
  /** The table name (trusted: it comes from this code, never from a request). */
  table: string;
  /**
   * The columns to store for an object: `ref_id`, `doc` and the searchable ones; throws a SifError
   * when the object is not acceptable (a unit of work: it may look things up).
   */
  columns(sql: SqlRunner, doc: GoessnerObject): Work<RowColumns>;
  /** Runs before a delete of an existing object, e.g. to refuse it with a 409. */
  beforeDelete?(sql: SqlRunner, refId: string): Work<void>;
  /** Completes a new object before it is stored, e.g. by assigning a local id. */
  complete?(sql: SqlRunner, doc: GoessnerObject): Work<void>;
  /** Element paths that are arrays in the documents: the service's `repeatable` paths. */
  arrays: readonly string[];
  /**
   * Element paths (`name/familyName`) kept in indexed columns of the table (`doc_family_name`) that
   * hold exactly the path's text: queries on them use the index. `@refId` is always `ref_id`.
   */
  indexed?: Readonly<Record<string, string>>;
  /** An index on the row id alone, for skipping rows cheaply (see `DocumentShape.rowIndex`). */
  rowIndex?: string;
}

/** The single-object writes of a document table, as units of work (a batch runs them in one transaction). */
export interface SingleWrites {
  /** The object as stored, with its refId; throws a SifError when it is not acceptable. */
  create(sql: SqlRunner, object: GoessnerObject, mustUseAdvisory: boolean): Work<GoessnerObject>;
  /** False when there is no such object. */
  update(sql: SqlRunner, refId: string, partial: GoessnerObject): Work<boolean>;
  /** False when there is no such object; throws a SifError to refuse it. */
  delete(sql: SqlRunner, refId: string): Work<boolean>;
}

/**
 * Query, read, create, update and delete handlers for a document table, and their batch forms
 * (each batch one transaction, each item's failure its own): paging, seeking and counts in SQL,
 * partial updates applied to the stored document. The same SIF logic on SQLite and PostgreSQL.
 */
export function documentTableHandlers(sis: SisConnection, spec: DocumentTable): ServiceHandlers {
  const { table } = spec;
  const shape: DocumentShape = documentShape(table, spec.arrays, spec.indexed, spec.rowIndex);

  function* storedDoc(sql: SqlRunner, refId: string): Work<GoessnerObject | undefined> {
    const doc = yield* step(sql.value(`SELECT doc FROM ${table} WHERE ref_id = ?`, [refId]));
    return doc === undefined ? undefined : (sql.dialect.parseDoc(doc));
  }
  function* exists(sql: SqlRunner, refId: string): Work<boolean> {
    return (yield* step(sql.value(`SELECT 1 FROM ${table} WHERE ref_id = ?`, [refId]))) !== undefined;
  }
  function* write(sql: SqlRunner, doc: GoessnerObject, isNew: boolean): Work<void> {
    const row = yield* spec.columns(sql, doc);
    const names = Object.keys(row);
    if (isNew) {
      yield* step(sql.run(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`, Object.values(row)));
    } else {
      const set = names.filter((n) => n !== 'ref_id');
      yield* step(sql.run(`UPDATE ${table} SET ${set.map((n) => `${n} = ?`).join(', ')} WHERE ref_id = ?`, [...set.map((n) => row[n]), row.ref_id]));
    }
  }

  const one: SingleWrites = {
    *create(sql, object, mustUseAdvisory) {
      // The refId's freedom is looked up first, so that the check can run in the unit of work.
      const advisory = typeof object['@refId'] === 'string' ? object['@refId'] : undefined;
      const taken = advisory !== undefined && (yield* exists(sql, advisory));
      const doc = withRefId(object, chooseRefId(object, mustUseAdvisory, (id) => id === advisory && taken));
      if (spec.complete) yield* spec.complete(sql, doc);
      yield* write(sql, doc, true);
      return doc;
    },
    *update(sql, refId, partial) {
      const stored = yield* storedDoc(sql, refId);
      if (!stored) return false;
      yield* write(sql, applyPartial(stored, partial), false);
      return true;
    },
    *delete(sql, refId) {
      if (!(yield* exists(sql, refId))) return false;
      if (spec.beforeDelete) yield* spec.beforeDelete(sql, refId);
      return (yield* step(sql.run(`DELETE FROM ${table} WHERE ref_id = ?`, [refId]))) > 0;
    },
  };

  return {
    query: (_ctx, query) => sis.read((sql) => queryDocuments(sql, shape, undefined, query)),
    queryIds: (_ctx, query) => sis.read((sql) => queryDocumentIds(sql, shape, undefined, query)),
    read: async (_ctx, refId) => (await sis.read((sql) => storedDoc(sql, refId))) ?? null,
    create: (_ctx, object, { mustUseAdvisory }) => sis.write((sql) => one.create(sql, object, mustUseAdvisory)),
    update: (_ctx, refId, partial) => sis.write((sql) => one.update(sql, refId, partial)),
    delete: (_ctx, refId) => sis.write((sql) => one.delete(sql, refId)),
    ...batchHandlers(sis, one),
  };
}
