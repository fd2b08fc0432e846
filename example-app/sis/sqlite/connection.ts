import type { SisConnection, SqlRunner } from '../connection';
import { asError } from '../connection';
import type { SisDatabase } from '../database';
import { SQLITE_DIALECT } from '../../query/sqlite-dialect';
import { cachedStatement } from '../statements';
import { runNow } from '../work';

/**
 * The SIS's statements on its SQLite database (better-sqlite3, synchronous): each is prepared once
 * (sis/statements.ts) and answers at once, so units of work run to the end without yielding to
 * another request, and a batch runs inside one better-sqlite3 transaction with a savepoint per item.
 */
export function sqliteConnection(db: SisDatabase): SisConnection {
  const sql: SqlRunner = {
    dialect: SQLITE_DIALECT,
    rows: (text, params = []) => cachedStatement(db, text).all(...params) as never,
    row: (text, params = []) => cachedStatement(db, text).get(...params) as never,
    column: (text, params = []) => cachedStatement(db, text, 'pluck').all(...params) as never,
    value: (text, params = []) => cachedStatement(db, text, 'pluck').get(...params) as never,
    run: (text, params = []) => cachedStatement(db, text).run(...params).changes,
  };
  // better-sqlite3 runs a transaction function called inside another one as a SAVEPOINT: when the
  // item throws, only its own writes are rolled back.
  const inTransaction = db.transaction((run: () => unknown) => run());
  const each = db.transaction((items: readonly unknown[], work: (item: unknown) => unknown) =>
    items.map((item) => {
      try {
        return inTransaction(() => work(item));
      } catch (err) {
        return asError(err);
      }
    }),
  );
  return {
    dialect: SQLITE_DIALECT,
    async read(work) {
      return runNow(work(sql));
    },
    async write(work) {
      return inTransaction(() => runNow(work(sql))) as never;
    },
    async writeEach(items, work) {
      return each(items, (item) => runNow(work(sql, item as never))) as never;
    },
    async close() {
      db.close();
    },
  };
}
