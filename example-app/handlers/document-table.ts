import type { GoessnerObject, QueryRequest, QueryResult, ServiceHandlers } from 'sif3-direct';
import type { ArrayPaths, SqlFragment } from '../query/sql';
import { orderToSql, whereToSql } from '../query/sql';
import type { SisDatabase } from '../sis/database';
import { applyPartial, chooseRefId, withRefId } from './common';

/** A SIS table that keeps each object as Goessner JSON in `doc`, keyed by `ref_id`, beside searchable columns. */
export interface DocumentTable {
  /** The table name (trusted: it comes from this code, never from a request). */
  table: string;
  /** INSERT and UPDATE statements with named parameters, filled from `columns`. */
  insert: string;
  update: string;
  /** The named parameters for an object (refId, doc and the searchable columns); throws a SifError when the object is not acceptable. */
  columns(doc: GoessnerObject): Record<string, string | null>;
  /** Runs before a delete of an existing object, e.g. to refuse it with a 409. */
  beforeDelete?(refId: string): void;
  /** Completes a new object before it is stored, e.g. by assigning a local id. */
  complete?(doc: GoessnerObject): void;
  /** Element paths that are arrays in the documents: the service's `repeatable` paths. */
  arrays: readonly string[];
}

/** Narrows a query to some rows, e.g. one school's students: a JOIN and a condition on alias `t`. */
export interface QueryScope {
  join?: string;
  where: SqlFragment;
}

/**
 * Query, read, create, update and delete handlers for a document table: paging and counts in SQL,
 * statements prepared once, partial updates applied to the stored document.
 */
export function documentTableHandlers(db: SisDatabase, spec: DocumentTable): ServiceHandlers {
  const { table } = spec;
  const sql = {
    page: db.prepare(`SELECT doc FROM ${table} ORDER BY rowid LIMIT ? OFFSET ?`).pluck(),
    count: db.prepare(`SELECT count(*) FROM ${table}`).pluck(),
    byRefId: db.prepare(`SELECT doc FROM ${table} WHERE ref_id = ?`).pluck(),
    exists: db.prepare(`SELECT 1 FROM ${table} WHERE ref_id = ?`).pluck(),
    delete: db.prepare(`DELETE FROM ${table} WHERE ref_id = ?`),
    insert: db.prepare(spec.insert),
    update: db.prepare(spec.update),
  };
  const write = (doc: GoessnerObject, isNew: boolean) => (isNew ? sql.insert : sql.update).run(spec.columns(doc));
  const arrays = new Set(spec.arrays);

  return {
    async query(_ctx, query) {
      if (query.where || query.order) return queryDocuments(db, table, arrays, undefined, query);
      const docs = sql.page.all(query.pageSize, query.offset) as string[];
      return { objects: docs.map((d) => JSON.parse(d)), totalCount: sql.count.get() as number };
    },
    async queryIds(_ctx, query) {
      return queryDocumentIds(db, table, arrays, undefined, query);
    },
    async read(_ctx, refId) {
      const doc = sql.byRefId.get(refId) as string | undefined;
      return doc ? JSON.parse(doc) : null;
    },
    async create(_ctx, object, { mustUseAdvisory }) {
      const doc = withRefId(object, chooseRefId(object, mustUseAdvisory, (id) => sql.exists.get(id) !== undefined));
      spec.complete?.(doc);
      write(doc, true);
      return doc;
    },
    async update(_ctx, refId, partial) {
      const stored = sql.byRefId.get(refId) as string | undefined;
      if (!stored) return false;
      write(applyPartial(JSON.parse(stored), partial), false);
      return true;
    },
    async delete(_ctx, refId) {
      if (!sql.exists.get(refId)) return false;
      spec.beforeDelete?.(refId);
      return sql.delete.run(refId).changes > 0;
    },
  };
}

/**
 * One page of a document table filtered by `where`, sorted by `order` (then by row, so that pages
 * are stable) and narrowed by `scope`, with the filtered count: all in SQL, values bound.
 */
export function queryDocuments(db: SisDatabase, table: string, arrays: ArrayPaths, scope: QueryScope | undefined, query: QueryRequest): QueryResult {
  const q = selection(table, arrays, scope, query);
  const docs = db
    .prepare(`SELECT t.doc ${q.from} ORDER BY ${q.order} LIMIT ? OFFSET ?`)
    .pluck()
    .all(...q.params, ...q.orderParams, query.pageSize, query.offset) as string[];
  const totalCount = db.prepare(`SELECT count(*) ${q.from}`).pluck().get(...q.params) as number;
  return { objects: docs.map((d) => JSON.parse(d)), totalCount };
}

/** The refIds of every row the query selects, in its order: for consistent paging snapshots. */
export function queryDocumentIds(db: SisDatabase, table: string, arrays: ArrayPaths, scope: QueryScope | undefined, query: QueryRequest): string[] {
  const q = selection(table, arrays, scope, query);
  return db.prepare(`SELECT t.ref_id ${q.from} ORDER BY ${q.order}`).pluck().all(...q.params, ...q.orderParams) as string[];
}

function selection(table: string, arrays: ArrayPaths, scope: QueryScope | undefined, query: QueryRequest) {
  const conditions: SqlFragment[] = [];
  if (scope) conditions.push(scope.where);
  if (query.where) conditions.push(whereToSql(query.where, 't.doc', arrays));
  const where = conditions.length ? `WHERE ${conditions.map((c) => c.sql).join(' AND ')}` : '';
  const order = query.order ? orderToSql(query.order, 't.doc', arrays) : { sql: '', params: [] };
  return {
    from: `FROM ${table} AS t ${scope?.join ?? ''} ${where}`,
    params: conditions.flatMap((c) => c.params),
    order: `${order.sql ? `${order.sql}, ` : ''}t.rowid`,
    orderParams: order.params,
  };
}
