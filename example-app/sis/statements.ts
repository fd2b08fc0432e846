import type { Statement } from 'better-sqlite3';
import type { SisDatabase } from './database';

/** How many distinct statements each connection keeps prepared. */
const CAPACITY = 256;

const caches = new WeakMap<SisDatabase, Map<string, Statement>>();

/**
 * The prepared statement for `sql` on `db`, prepared once and reused: a query's SQL text depends
 * only on its shape (values and JSON paths are bound parameters), so the common shapes, such as a
 * page, a page after a cursor or a where on one element, are each prepared once. The map is
 * bounded and drops the least recently used statement, since where clauses can take endless
 * shapes. The result `mode` is part of the key because it is a setting of the statement object:
 * `rows` gives objects, `pluck` the first column, `raw` arrays.
 *
 * @example
 * cachedStatement(db, 'SELECT doc FROM students WHERE ref_id = ?', 'pluck').get(refId);
 */
export function cachedStatement(db: SisDatabase, sql: string, mode: 'rows' | 'pluck' | 'raw' = 'rows'): Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const key = `${mode}:${sql}`;
  let statement = cache.get(key);
  if (statement) {
    // A Map iterates in insertion order: re-inserting marks the entry as the most recently used.
    cache.delete(key);
  } else {
    statement = db.prepare(sql);
    if (mode === 'pluck') statement.pluck();
    else if (mode === 'raw') statement.raw();
    if (cache.size >= CAPACITY) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, statement);
  return statement;
}
