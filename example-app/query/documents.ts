import type { QueryRequest, QueryResult } from 'sif3-direct';
import type { SqlRunner } from '../sis/connection';
import { rowCount } from '../sis/counts';
import type { Work } from '../sis/work';
import { step } from '../sis/work';
import type { ArrayPaths, ColumnPaths, SqlFragment } from './sql';
import { orderKeys, seekAfter, whereToSql } from './sql';

/** What the query translation needs to know about a document table. */
export interface DocumentShape {
  /** The table name (trusted: from this code). */
  table: string;
  arrays: ArrayPaths;
  /** Element paths kept in indexed columns, as columns of alias `t`. */
  columns: ColumnPaths;
  /**
   * An index on the row id alone (trusted name), where the database lets a query name one (SQLite).
   * A page of the whole table in row order that starts at an offset finds its first row by stepping
   * over this narrow index instead of the documents.
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
 * One page of a document table filtered by `where`, sorted by `order` (then by row, so that pages
 * are stable) and narrowed by `scope`, with the filtered count: all in SQL, values bound. A page
 * that continues a walk (`after`) seeks past the previous page's last row through the indexes
 * instead of stepping over `offset` rows; the count comes from the trigger-kept table counts when
 * nothing narrows the query, else from `knownTotal` when the walk already has it.
 */
export function* queryDocuments(sql: SqlRunner, shape: DocumentShape, scope: QueryScope | undefined, query: PagedQuery): Work<QueryResult> {
  const { dialect } = sql;
  const q = selection(sql, shape, scope, query);
  let seek = query.after ? yield* seekPosition(sql, shape, q.keys, query.after) : undefined;
  if (!seek && query.offset > 0 && shape.rowIndex && q.conditions.length === 0 && q.keys.length === 0) {
    // Random access into the whole table: the first row of the page by OFFSET over the row ids only.
    seek = dialect.offsetSeek(shape.table, shape.rowIndex, query.offset);
  }
  const conditions = seek ? [...q.conditions, seek] : q.conditions;
  const page = seek ? 'LIMIT ?' : 'LIMIT ? OFFSET ?';
  const docs = yield* step(
    sql.column(`SELECT t.doc ${q.from} ${whereClause(conditions)} ORDER BY ${q.order.sql} ${page}`, [
      ...conditions.flatMap((c) => c.params),
      ...q.order.params,
      query.pageSize,
      ...(seek ? [] : [query.offset]),
    ]),
  );
  return { objects: docs.map((d) => dialect.parseDoc(d)), totalCount: yield* totalOf(sql, shape, q, query) };
}

/** The refIds of every row the query selects, in its order: for consistent paging snapshots. */
export function* queryDocumentIds(sql: SqlRunner, shape: DocumentShape, scope: QueryScope | undefined, query: QueryRequest): Work<string[]> {
  const q = selection(sql, shape, scope, query);
  return yield* step(
    sql.column<string>(`SELECT t.ref_id ${q.from} ${whereClause(q.conditions)} ORDER BY ${q.order.sql}`, [...q.conditions.flatMap((c) => c.params), ...q.order.params]),
  );
}

type Selection = ReturnType<typeof selection>;

function selection(sql: SqlRunner, shape: DocumentShape, scope: QueryScope | undefined, query: QueryRequest) {
  const { dialect } = sql;
  const conditions: SqlFragment[] = [];
  if (scope) conditions.push(scope.where);
  if (query.where) conditions.push(whereToSql(query.where, 't.doc', shape.arrays, shape.columns, dialect));
  const keys = query.order ? orderKeys(query.order, 't.doc', shape.arrays, shape.columns, dialect) : [];
  return {
    from: `FROM ${shape.table} AS t ${scope?.join ?? ''}`,
    conditions,
    keys,
    // The row id breaks ties, ascending whatever the direction of the keys: the evaluator's sort is
    // stable over the rows in insertion order.
    order: {
      sql: [...keys.map((k) => `${k.sql} ${dialect.direction(k.ascending)}`), `t.${dialect.rowId}`].join(', '),
      params: keys.flatMap((k) => k.params),
    },
  };
}

function whereClause(conditions: readonly SqlFragment[]): string {
  return conditions.length ? `WHERE ${conditions.map((c) => c.sql).join(' AND ')}` : '';
}

/**
 * The condition "after the cursor's row", or undefined to page by OFFSET instead. The cursor's id is
 * resolved to its row (the row id tiebreak) with one indexed lookup, which also computes the row's
 * sort keys with the page's own expressions: they must equal the cursor's order values, else the
 * row has changed since that page, or is gone, and OFFSET is what gives the same objects.
 */
function* seekPosition(sql: SqlRunner, shape: DocumentShape, keys: Selection['keys'], after: QueryCursor): Work<SqlFragment | undefined> {
  if (after.orderValues.length !== keys.length) return undefined;
  const rowId = `t.${sql.dialect.rowId}`;
  const columns = [`${rowId} AS r`, ...keys.map((k, i) => `${k.sql} AS k${i}`)].join(', ');
  const row = yield* step(sql.row(`SELECT ${columns} FROM ${shape.table} AS t WHERE t.ref_id = ?`, [...keys.flatMap((k) => k.params), after.id]));
  if (!row) return undefined;
  const values = keys.map((_, i) => row[`k${i}`] as string | null);
  if (!values.every((v, i) => (v ?? undefined) === after.orderValues[i])) return undefined;
  return seekAfter(keys, values, rowId, row.r as number);
}

/** The total of the query: O(1) for a whole table, the walk's known total, or counted. */
function* totalOf(sql: SqlRunner, shape: DocumentShape, q: Selection, query: PagedQuery): Work<number> {
  if (q.conditions.length === 0) {
    const kept = yield* rowCount(sql, shape.table);
    if (kept !== undefined) return kept;
  } else if (typeof query.knownTotal === 'number' && Number.isInteger(query.knownTotal) && query.knownTotal >= 0) {
    return query.knownTotal;
  }
  return Number(yield* step(sql.value(`SELECT count(*) ${q.from} ${whereClause(q.conditions)}`, q.conditions.flatMap((c) => c.params))));
}
