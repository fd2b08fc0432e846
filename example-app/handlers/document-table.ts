import type { GoessnerObject, QueryRequest, QueryResult, ServiceHandlers } from 'sif3-direct';
import type { ArrayPaths, ColumnPaths, SqlFragment } from '../query/sql';
import { orderKeys, seekAfter, whereToSql } from '../query/sql';
import type { SisDatabase } from '../sis/database';
import { rowCount } from '../sis/database';
import { cachedStatement } from '../sis/statements';
import { batchHandlers } from './batch';
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
  /**
   * Element paths (`name/familyName`) kept in indexed columns of the table (`doc_family_name`) that
   * hold exactly the path's text: queries on them use the index. `@refId` is always `ref_id`.
   */
  indexed?: Readonly<Record<string, string>>;
  /** An index on the row id alone, for skipping rows cheaply (see `DocumentShape.rowIndex`). */
  rowIndex?: string;
}

/** What the query translation needs to know about a document table. */
export interface DocumentShape {
  /** The table name (trusted: from this code). */
  table: string;
  arrays: ArrayPaths;
  /** Element paths kept in indexed columns, as columns of alias `t`. */
  columns: ColumnPaths;
  /**
   * An index on the row id alone (trusted name). A page of the whole table in row order that starts
   * at an offset finds its first row by stepping over this narrow index instead of the documents.
   */
  rowIndex?: string;
}

/** Narrows a query to some rows, e.g. one school's students: a JOIN and a condition on alias `t`. */
export interface QueryScope {
  join?: string;
  where: SqlFragment;
}

/**
 * A query as the library hands it over, with its cursor contract: `after` (where the previous page
 * of the walk ended) lets the handler seek instead of skipping `offset` rows, for the same objects
 * either way, and `knownTotal` (the total reported earlier in the walk) may be returned instead of
 * counting again. Named here for the service paths and the tests.
 */
export type PagedQuery = QueryRequest;

/** Where a page continues a walk: the last object of the previous page and its `order` values. */
export type QueryCursor = NonNullable<QueryRequest['after']>;

/** The shape of a document table: its arrays, and its indexed paths (with `@refId` → `ref_id`). */
export function documentShape(table: string, arrays: readonly string[], indexed: Readonly<Record<string, string>> = {}, rowIndex?: string): DocumentShape {
  const columns = new Map<string, string>([['@refId', 't.ref_id']]);
  for (const [path, column] of Object.entries(indexed)) columns.set(path, `t.${column}`);
  return { table, arrays: new Set(arrays), columns, ...(rowIndex ? { rowIndex } : {}) };
}

/**
 * Query, read, create, update and delete handlers for a document table, and their batch forms
 * (each batch one transaction, each item's failure its own): paging, seeking and counts in SQL,
 * statements prepared once, partial updates applied to the stored document.
 */
export function documentTableHandlers(db: SisDatabase, spec: DocumentTable): ServiceHandlers {
  const { table } = spec;
  const shape = documentShape(table, spec.arrays, spec.indexed, spec.rowIndex);
  const sql = {
    byRefId: db.prepare(`SELECT doc FROM ${table} WHERE ref_id = ?`).pluck(),
    exists: db.prepare(`SELECT 1 FROM ${table} WHERE ref_id = ?`).pluck(),
    delete: db.prepare(`DELETE FROM ${table} WHERE ref_id = ?`),
    insert: db.prepare(spec.insert),
    update: db.prepare(spec.update),
  };
  const write = (doc: GoessnerObject, isNew: boolean) => (isNew ? sql.insert : sql.update).run(spec.columns(doc));

  // The single-object operations, synchronous so that a batch can run them inside one transaction.
  const one = {
    create(object: GoessnerObject, mustUseAdvisory: boolean): GoessnerObject {
      const doc = withRefId(object, chooseRefId(object, mustUseAdvisory, (id) => sql.exists.get(id) !== undefined));
      spec.complete?.(doc);
      write(doc, true);
      return doc;
    },
    update(refId: string, partial: GoessnerObject): boolean {
      const stored = sql.byRefId.get(refId) as string | undefined;
      if (!stored) return false;
      write(applyPartial(JSON.parse(stored), partial), false);
      return true;
    },
    delete(refId: string): boolean {
      if (!sql.exists.get(refId)) return false;
      spec.beforeDelete?.(refId);
      return sql.delete.run(refId).changes > 0;
    },
  };

  return {
    async query(_ctx, query) {
      return queryDocuments(db, shape, undefined, query);
    },
    async queryIds(_ctx, query) {
      return queryDocumentIds(db, shape, undefined, query);
    },
    async read(_ctx, refId) {
      const doc = sql.byRefId.get(refId) as string | undefined;
      return doc ? JSON.parse(doc) : null;
    },
    async create(_ctx, object, { mustUseAdvisory }) {
      return one.create(object, mustUseAdvisory);
    },
    async update(_ctx, refId, partial) {
      return one.update(refId, partial);
    },
    async delete(_ctx, refId) {
      return one.delete(refId);
    },
    ...batchHandlers(db, one),
  };
}

/**
 * One page of a document table filtered by `where`, sorted by `order` (then by row, so that pages
 * are stable) and narrowed by `scope`, with the filtered count: all in SQL, values bound. A page
 * that continues a walk (`after`) seeks past the previous page's last row through the indexes
 * instead of stepping over `offset` rows; the count comes from the trigger-kept table counts when
 * nothing narrows the query, else from `knownTotal` when the walk already has it.
 */
export function queryDocuments(db: SisDatabase, shape: DocumentShape, scope: QueryScope | undefined, query: PagedQuery): QueryResult {
  const q = selection(shape, scope, query);
  let seek = query.after ? seekPosition(db, shape, q.keys, query.after) : undefined;
  if (!seek && query.offset > 0 && shape.rowIndex && q.conditions.length === 0 && q.keys.length === 0) {
    // Random access into the whole table: the first row of the page by OFFSET over the narrow index.
    seek = { sql: `t.rowid >= (SELECT rowid FROM ${shape.table} INDEXED BY ${shape.rowIndex} ORDER BY rowid LIMIT 1 OFFSET ?)`, params: [query.offset] };
  }
  const conditions = seek ? [...q.conditions, seek] : q.conditions;
  const page = seek ? 'LIMIT ?' : 'LIMIT ? OFFSET ?';
  const docs = cachedStatement(db, `SELECT t.doc ${q.from} ${whereClause(conditions)} ORDER BY ${q.order.sql} ${page}`, 'pluck').all(
    ...conditions.flatMap((c) => c.params),
    ...q.order.params,
    query.pageSize,
    ...(seek ? [] : [query.offset]),
  ) as string[];
  return { objects: docs.map((d) => JSON.parse(d)), totalCount: totalOf(db, shape, q, query) };
}

/** The refIds of every row the query selects, in its order: for consistent paging snapshots. */
export function queryDocumentIds(db: SisDatabase, shape: DocumentShape, scope: QueryScope | undefined, query: QueryRequest): string[] {
  const q = selection(shape, scope, query);
  return cachedStatement(db, `SELECT t.ref_id ${q.from} ${whereClause(q.conditions)} ORDER BY ${q.order.sql}`, 'pluck').all(
    ...q.conditions.flatMap((c) => c.params),
    ...q.order.params,
  ) as string[];
}

type Selection = ReturnType<typeof selection>;

function selection(shape: DocumentShape, scope: QueryScope | undefined, query: QueryRequest) {
  const conditions: SqlFragment[] = [];
  if (scope) conditions.push(scope.where);
  if (query.where) conditions.push(whereToSql(query.where, 't.doc', shape.arrays, shape.columns));
  const keys = query.order ? orderKeys(query.order, 't.doc', shape.arrays, shape.columns) : [];
  return {
    from: `FROM ${shape.table} AS t ${scope?.join ?? ''}`,
    conditions,
    keys,
    // The row id breaks ties, ascending whatever the direction of the keys: the evaluator's sort is
    // stable over the rows in insertion order.
    order: {
      sql: [...keys.map((k) => `${k.sql} ${k.ascending ? 'ASC' : 'DESC'}`), 't.rowid'].join(', '),
      params: keys.flatMap((k) => k.params),
    },
  };
}

function whereClause(conditions: readonly SqlFragment[]): string {
  return conditions.length ? `WHERE ${conditions.map((c) => c.sql).join(' AND ')}` : '';
}

/**
 * The condition "after the cursor's row", or undefined to page by OFFSET instead. The cursor's id is
 * resolved to its row (the rowid tiebreak) with one indexed lookup, which also computes the row's
 * sort keys with the page's own expressions: they must equal the cursor's order values, else the
 * row has changed since that page, or is gone, and OFFSET is what gives the same objects.
 */
function seekPosition(db: SisDatabase, shape: DocumentShape, keys: Selection['keys'], after: QueryCursor): SqlFragment | undefined {
  if (after.orderValues.length !== keys.length) return undefined;
  const columns = ['t.rowid', ...keys.map((k) => k.sql)].join(', ');
  const row = cachedStatement(db, `SELECT ${columns} FROM ${shape.table} AS t WHERE t.ref_id = ?`, 'raw').get(...keys.flatMap((k) => k.params), after.id) as unknown[] | undefined;
  if (!row) return undefined;
  const [rowid, ...values] = row;
  if (!values.every((v, i) => (v ?? undefined) === after.orderValues[i])) return undefined;
  return seekAfter(keys, values as (string | null)[], 't.rowid', rowid as number);
}

/** The total of the query: O(1) for a whole table, the walk's known total, or counted. */
function totalOf(db: SisDatabase, shape: DocumentShape, q: Selection, query: PagedQuery): number {
  if (q.conditions.length === 0) {
    const kept = rowCount(db, shape.table);
    if (kept !== undefined) return kept;
  } else if (typeof query.knownTotal === 'number' && Number.isInteger(query.knownTotal) && query.knownTotal >= 0) {
    return query.knownTotal;
  }
  return cachedStatement(db, `SELECT count(*) ${q.from} ${whereClause(q.conditions)}`, 'pluck').get(...q.conditions.flatMap((c) => c.params)) as number;
}
